// A small force-directed layout for the co-action network, drawn as SVG: repulsion between all nodes (fine for the
// few hundred accounts a cluster has; larger graphs are drawn from their strongest links), springs along edges,
// gravity to the centre, and a fixed number of cooling steps, so the layout is the same on every load. Nodes can be
// dragged; clicking a link shows its evidence. No library, no remote code.
const NS = 'http://www.w3.org/2000/svg';
const MAX_NODES = 400;

function el(name, attrs) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/**
 * Draws `net` ({ nodes, edges }) into `svg`; `info` shows the evidence of a clicked link. `msg(key, values)` gives
 * the wording in the user's language (app.js passes the page's catalogue; the fallback is the key itself).
 */
export function drawNetwork(svg, net, info, msg = (key) => key) {
  const W = 800,
    H = 420;
  let nodes = net.nodes;
  let edges = net.edges;
  if (nodes.length > MAX_NODES) {
    const keep = new Set();
    for (const e of edges) {
      if (keep.size >= MAX_NODES) break;
      keep.add(e.a);
      keep.add(e.b);
    }
    nodes = nodes.filter((n) => keep.has(n.id));
    edges = edges.filter((e) => keep.has(e.a) && keep.has(e.b));
  }
  const idx = new Map(nodes.map((n, i) => [n.id, i]));
  // Deterministic start: nodes on a circle.
  const pos = nodes.map((_, i) => ({
    x: W / 2 + Math.cos((2 * Math.PI * i) / nodes.length) * 150,
    y: H / 2 + Math.sin((2 * Math.PI * i) / nodes.length) * 150,
    vx: 0,
    vy: 0,
  }));
  const links = edges.map((e) => ({ s: idx.get(e.a), t: idx.get(e.b), e }));
  const k = Math.sqrt((W * H) / Math.max(nodes.length, 1)) * 0.6;
  for (let step = 0, temp = 40; step < 300; step++, temp *= 0.985) {
    for (const p of pos) {
      p.vx = 0;
      p.vy = 0;
    }
    for (let i = 0; i < pos.length; i++)
      for (let j = i + 1; j < pos.length; j++) {
        const dx = pos[i].x - pos[j].x,
          dy = pos[i].y - pos[j].y;
        const d2 = Math.max(dx * dx + dy * dy, 0.01),
          f = (k * k) / d2;
        pos[i].vx += dx * f;
        pos[i].vy += dy * f;
        pos[j].vx -= dx * f;
        pos[j].vy -= dy * f;
      }
    for (const l of links) {
      const a = pos[l.s],
        b = pos[l.t];
      const dx = a.x - b.x,
        dy = a.y - b.y,
        d = Math.max(Math.hypot(dx, dy), 0.1),
        f = d / k;
      a.vx -= dx * f;
      a.vy -= dy * f;
      b.vx += dx * f;
      b.vy += dy * f;
    }
    for (const p of pos) {
      p.vx += (W / 2 - p.x) * 0.05;
      p.vy += (H / 2 - p.y) * 0.05;
      const v = Math.hypot(p.vx, p.vy) || 1,
        m = Math.min(v, temp);
      p.x = Math.min(W - 12, Math.max(12, p.x + (p.vx / v) * m));
      p.y = Math.min(H - 12, Math.max(12, p.y + (p.vy / v) * m));
    }
  }
  // Fit the layout to the drawing area: a dense cluster (every member shares the same link) settles into a small
  // ball otherwise.
  if (pos.length > 1) {
    const xs = pos.map((p) => p.x),
      ys = pos.map((p) => p.y);
    const minX = Math.min(...xs),
      maxX = Math.max(...xs),
      minY = Math.min(...ys),
      maxY = Math.max(...ys);
    const scale = Math.min((W - 40) / Math.max(maxX - minX, 1), (H - 40) / Math.max(maxY - minY, 1));
    for (const p of pos) {
      p.x = W / 2 + (p.x - (minX + maxX) / 2) * scale;
      p.y = H / 2 + (p.y - (minY + maxY) / 2) * scale;
    }
  }
  svg.replaceChildren();
  const gEdges = el('g', { class: 'edges' }),
    gNodes = el('g', { class: 'nodes' });
  svg.append(gEdges, gNodes);
  const lines = links.map((l) => {
    const line = el('line', {
      x1: pos[l.s].x,
      y1: pos[l.s].y,
      x2: pos[l.t].x,
      y2: pos[l.t].y,
      'stroke-width': Math.min(0.6 + l.e.weight * 0.4, 4),
      class: `edge k-${l.e.evidence[0]?.kind ?? 'other'}`,
      tabindex: 0,
    });
    const t = el('title', {});
    t.textContent = msg('edgeTitle', { a: l.e.a.slice(0, 10), b: l.e.b.slice(0, 10), n: l.e.weight });
    line.append(t);
    const show = () => {
      info.textContent = msg('edgeInfo', {
        a: l.e.a.slice(0, 12),
        b: l.e.b.slice(0, 12),
        n: l.e.weight,
        items: l.e.evidence
          .slice(0, 6)
          .map((v) => msg('edgeItem', { kind: msg(`kind_${v.kind}`), pa: v.pa, pb: v.pb }))
          .join('; '),
      });
    };
    line.addEventListener('click', show);
    line.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') show();
    });
    gEdges.append(line);
    return line;
  });
  const circles = nodes.map((n, i) => {
    const c = el('circle', {
      cx: pos[i].x,
      cy: pos[i].y,
      r: Math.min(4 + Math.sqrt(n.posts) * 2, 14),
      class: n.ageDays !== null && n.ageDays < 30 ? 'node young' : 'node',
    });
    const t = el('title', {});
    t.textContent =
      n.ageDays === null
        ? msg('nodeTitle', { id: n.id.slice(0, 16), n: n.posts })
        : msg('nodeTitleAge', { id: n.id.slice(0, 16), n: n.posts, days: Math.round(n.ageDays) });
    c.append(t);
    gNodes.append(c);
    return c;
  });
  // Dragging moves a node and its links.
  let drag = -1;
  const toSvg = (ev) => {
    const r = svg.getBoundingClientRect();
    return { x: ((ev.clientX - r.left) / r.width) * W, y: ((ev.clientY - r.top) / r.height) * H };
  };
  circles.forEach((c, i) =>
    c.addEventListener('pointerdown', (ev) => {
      drag = i;
      c.setPointerCapture(ev.pointerId);
    }),
  );
  svg.addEventListener('pointermove', (ev) => {
    if (drag < 0) return;
    const p = toSvg(ev);
    pos[drag].x = p.x;
    pos[drag].y = p.y;
    circles[drag].setAttribute('cx', p.x);
    circles[drag].setAttribute('cy', p.y);
    links.forEach((l, j) => {
      if (l.s === drag) {
        lines[j].setAttribute('x1', p.x);
        lines[j].setAttribute('y1', p.y);
      }
      if (l.t === drag) {
        lines[j].setAttribute('x2', p.x);
        lines[j].setAttribute('y2', p.y);
      }
    });
  });
  svg.addEventListener('pointerup', () => {
    drag = -1;
  });
  svg.dataset.drawn = String(nodes.length);
}
