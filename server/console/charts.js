// Charts drawn as SVG by hand: horizontal bars (one or two series) and a weekly column chart.
'use strict';
const Charts = (() => {
  const NS = 'http://www.w3.org/2000/svg';
  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toLocaleString(document.documentElement.lang, { maximumFractionDigits: 1 }));

  // rows: [{label, values: [a, b]}]; series: [{name, color}]
  function bars(rows, series, opts = {}) {
    const width = opts.width || 520, rowH = 26, labelW = 150, top = 4;
    const height = top + rows.length * rowH + 4;
    const max = Math.max(1, ...rows.flatMap((r) => r.values));
    const svg = el('svg', { width: '100%', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': opts.title || '' });
    if (opts.title) svg.appendChild(el('title', {}, opts.title));
    const plotW = width - labelW - 50;
    rows.forEach((r, i) => {
      const y = top + i * rowH;
      svg.appendChild(el('text', { x: labelW - 8, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: 'bar-label' }, r.label.length > 19 ? r.label.slice(0, 18) + '…' : r.label));
      const h = (rowH - 8) / r.values.length;
      r.values.forEach((v, s) => {
        const w = Math.max(v > 0 ? 2 : 0, (v / max) * plotW);
        svg.appendChild(el('rect', { x: labelW, y: y + 4 + s * h, width: w, height: h - 1, rx: 2, fill: series[s].color }));
        if (s === 0 || r.values.length === 1) svg.appendChild(el('text', { x: labelW + w + 5, y: y + 4 + s * h + h - 3, class: 'bar-value' }, fmt(v)));
      });
    });
    return svg;
  }

  // points: [{label, value}] as columns.
  function columns(points, color, opts = {}) {
    const width = opts.width || 520, height = opts.height || 200, left = 30, bottom = 26;
    const max = Math.max(1, ...points.map((p) => p.value));
    const svg = el('svg', { width: '100%', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': opts.title || '' });
    if (opts.title) svg.appendChild(el('title', {}, opts.title));
    const plotH = height - bottom - 10, step = (width - left) / Math.max(1, points.length);
    for (let g = 0; g <= 4; g++) {
      const y = 10 + plotH - (g / 4) * plotH;
      svg.appendChild(el('line', { x1: left, x2: width, y1: y, y2: y, stroke: '#e6e9ef' }));
      svg.appendChild(el('text', { x: left - 4, y: y + 4, 'text-anchor': 'end', class: 'bar-value' }, fmt(Math.round((max * g) / 4))));
    }
    points.forEach((p, i) => {
      const h = (p.value / max) * plotH, x = left + i * step + step * 0.15;
      svg.appendChild(el('rect', { x, y: 10 + plotH - h, width: step * 0.7, height: h, rx: 3, fill: color }));
      svg.appendChild(el('text', { x: x + step * 0.35, y: height - 8, 'text-anchor': 'middle', class: 'bar-value' }, p.label));
    });
    return svg;
  }
  return { bars, columns };
})();
