#!/usr/bin/env bash
# Production topic definitions for mid-monitor (see infra/kafka-topics.md for the reasoning).
# Usage: create-topics.sh <bootstrap-server>. Idempotent (--if-not-exists).
set -euo pipefail
BS="${1:-localhost:9092}"
KT=/opt/kafka/bin/kafka-topics.sh
RF="${MID_TOPIC_REPLICATION:-1}"   # 3 on a real cluster
DAY=86400000
# posts.enriched must have as many partitions as posts.raw: an enriched post keeps its raw key and so its partition
# number, and the detect worker's watermark is per partition of posts.enriched (infra/kafka-topics.md).
POST_PARTITIONS="${MID_POST_PARTITIONS:-12}"
create() { "$KT" --bootstrap-server "$BS" --create --if-not-exists --topic "$1" --partitions "$2" --replication-factor "$RF" "${@:3}"; }
create posts.raw       "$POST_PARTITIONS" --config retention.ms=$((7 * DAY))  --config max.message.bytes=1048576
create factchecks.raw   3 --config retention.ms=$((30 * DAY))
create posts.enriched  "$POST_PARTITIONS" --config retention.ms=$((7 * DAY))  --config max.message.bytes=1048576
create signals          6 --config cleanup.policy=compact,delete --config retention.ms=$((90 * DAY)) --config min.compaction.lag.ms=60000
create dlq              3 --config retention.ms=$((30 * DAY))
create triage.events    3 --config cleanup.policy=compact,delete --config retention.ms=$((90 * DAY))
# --if-not-exists leaves existing topics as they are: refuse to go on if the two post topics differ.
count() { "$KT" --bootstrap-server "$BS" --describe --topic "$1" | sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' | head -n1; }
RAW=$(count posts.raw); ENRICHED=$(count posts.enriched)
if [ -n "$RAW" ] && [ -n "$ENRICHED" ] && [ "$RAW" != "$ENRICHED" ]; then
  echo "posts.raw has $RAW partitions and posts.enriched $ENRICHED: they must be equal (infra/kafka-topics.md)" >&2
  exit 1
fi
