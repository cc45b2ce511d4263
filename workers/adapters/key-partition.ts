// Maps a message key to a partition the way Kafka's default partitioner does (murmur2 of the key bytes, positive,
// modulo the partition count), so the in-process bus and Kafka put the same key in the same partition number.

function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ data.length) | 0;
  let i = 0;
  let len = data.length;
  while (len >= 4) {
    let k =
      (data[i]! & 0xff) | ((data[i + 1]! & 0xff) << 8) | ((data[i + 2]! & 0xff) << 16) | ((data[i + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
    i += 4;
    len -= 4;
  }
  switch (len) {
    case 3:
      h ^= (data[i + 2]! & 0xff) << 16; // falls through
    case 2:
      h ^= (data[i + 1]! & 0xff) << 8; // falls through
    case 1:
      h ^= data[i]! & 0xff;
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

/** The partition (0..partitions-1) for a key, as Kafka's murmur2 default partitioner picks it. */
export function keyPartition(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}
