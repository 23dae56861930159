// A stacked bar chart over time in SVG: readable axes with units, round time ticks, a legend
// with totals, a tooltip per bar and an empty state. Drawn by hand (about 200 lines) rather than
// with a charting library, so the console has no dependency to vendor and nothing to build.

import { h, replace, s } from './dom.js';
import { bucketWords, date, hhmm, num, short, time } from './format.js';

const MARGIN = { left: 52, right: 14, top: 14, bottom: 30 };

/**
 * stackedBars({ keys, colors, labels, yLabel, height, emptyText }) → { el, update(series) }
 * where series = { from, to, bucketMs, points: [{ bucket, counts: { key: n } }] }.
 */
export function stackedBars({ keys, colors, labels, yLabel, height = 260, emptyText = 'No requests in this period.' }) {
  const svgHost = h('div', { class: 'chart-plot' });
  const tooltip = h('div', { class: 'chart-tooltip', role: 'status' });
  const legend = h('div', { class: 'chart-legend' });
  const el = h('div', { class: 'chart' }, svgHost, tooltip, legend);
  let series = null;
  let hidden = new Set();

  const draw = () => {
    const width = Math.max(320, Math.floor(svgHost.clientWidth || 640));
    replace(
      svgHost,
      series
        ? render(
            series,
            width,
            height,
            keys.filter((k) => !hidden.has(k)),
            colors,
            labels,
            yLabel,
            emptyText,
            tooltip,
          )
        : null,
    );
  };
  new ResizeObserver(() => draw()).observe(svgHost);

  const drawLegend = () => {
    const totals = Object.fromEntries(keys.map((k) => [k, 0]));
    for (const p of series?.points ?? []) for (const k of keys) totals[k] += p.counts[k] ?? 0;
    replace(
      legend,
      keys.map((k) =>
        h(
          'button',
          {
            type: 'button',
            class: `legend-item${hidden.has(k) ? ' off' : ''}`,
            title: hidden.has(k) ? `Show ${labels[k]}` : `Hide ${labels[k]}`,
            onclick: () => {
              hidden = new Set(hidden);
              if (hidden.has(k)) hidden.delete(k);
              else hidden.add(k);
              drawLegend();
              draw();
            },
          },
          h('span', { class: 'swatch', style: { background: colors[k] } }),
          labels[k],
          h('span', { class: 'legend-total' }, short(totals[k])),
        ),
      ),
    );
  };

  return {
    el,
    update(next) {
      series = next;
      drawLegend();
      draw();
    },
  };
}

function render(series, width, height, keys, colors, labels, yLabel, emptyText, tooltip) {
  const { points, bucketMs, from, to } = series;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const totals = points.map((p) => keys.reduce((n, k) => n + (p.counts[k] ?? 0), 0));
  const max = Math.max(0, ...totals);
  const yTicks = niceTicks(max);
  const yMax = yTicks[yTicks.length - 1] || 1;
  const x = (t) => MARGIN.left + ((t - from) / (to - from)) * plotW;
  const y = (v) => MARGIN.top + plotH - (v / yMax) * plotH;
  const slot = plotW / Math.max(1, Math.round((to - from) / bucketMs));
  const barW = Math.max(1, slot * (slot > 6 ? 0.78 : 0.92));

  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    class: 'chart-svg',
    role: 'img',
    'aria-label': `${yLabel} over time`,
  });

  // Grid and y axis.
  for (const v of yTicks) {
    svg.append(
      s('line', { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid' }),
      s('text', { x: MARGIN.left - 8, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, short(v)),
    );
  }
  svg.append(
    s(
      'text',
      {
        class: 'axis-label',
        transform: `translate(13 ${MARGIN.top + plotH / 2}) rotate(-90)`,
        'text-anchor': 'middle',
      },
      `${yLabel} / ${bucketWords(bucketMs)}`,
    ),
  );

  // Time axis: round ticks, at most one per ~90 px.
  const step = timeStep(to - from, Math.max(2, Math.floor(plotW / 90)));
  const offset = new Date(from).getTimezoneOffset() * 60_000;
  const format = step < 60_000 ? time : step < 86_400_000 ? hhmm : date;
  for (let t = Math.ceil((from - offset) / step) * step + offset; t <= to; t += step) {
    svg.append(
      s('line', { x1: x(t), x2: x(t), y1: MARGIN.top + plotH, y2: MARGIN.top + plotH + 5, class: 'axis' }),
      s('text', { x: x(t), y: height - 8, class: 'tick', 'text-anchor': 'middle' }, format(t)),
    );
  }

  // Bars, stacked mildest first from the bottom; one hover target per bucket.
  points.forEach((p, i) => {
    let base = 0;
    const left = x(p.bucket) + (slot - barW) / 2;
    for (const k of keys) {
      const v = p.counts[k] ?? 0;
      if (v <= 0) continue;
      const top = y(base + v);
      svg.append(
        s('rect', {
          x: left,
          y: top,
          width: barW,
          height: Math.max(0.5, y(base) - top),
          fill: colors[k],
          class: 'bar',
        }),
      );
      base += v;
    }
    const target = s('rect', { x: x(p.bucket), y: MARGIN.top, width: slot, height: plotH, class: 'hover-target' });
    target.addEventListener('mouseenter', () =>
      showTooltip(tooltip, p, totals[i], keys, colors, labels, bucketMs, x(p.bucket) + slot / 2, width),
    );
    target.addEventListener('mouseleave', () => tooltip.classList.remove('shown'));
    svg.append(target);
  });

  if (max === 0) {
    svg.append(
      s(
        'text',
        { x: MARGIN.left + plotW / 2, y: MARGIN.top + plotH / 2, class: 'chart-empty', 'text-anchor': 'middle' },
        emptyText,
      ),
    );
  }
  return svg;
}

function showTooltip(tooltip, point, total, keys, colors, labels, bucketMs, centre, width) {
  replace(
    tooltip,
    h(
      'div',
      { class: 'tooltip-title' },
      `${bucketMs >= 86_400_000 ? date(point.bucket) : `${date(point.bucket)} ${time(point.bucket)}`} · ${num(total)} requests`,
    ),
    keys
      .filter((k) => (point.counts[k] ?? 0) > 0)
      .reverse()
      .map((k) =>
        h(
          'div',
          { class: 'tooltip-row' },
          h('span', { class: 'swatch', style: { background: colors[k] } }),
          labels[k],
          h('b', {}, num(point.counts[k])),
        ),
      ),
  );
  tooltip.classList.add('shown');
  const left = Math.min(Math.max(centre - 90, 4), width - 190);
  tooltip.style.left = `${left}px`;
}

/** 0 and 3–5 round steps covering `max`. */
export function niceTicks(max) {
  if (max <= 0) return [0, 1];
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude;
  const ticks = [];
  for (let v = 0; v < max + step; v += step) {
    ticks.push(Math.round(v * 1e6) / 1e6);
    if (v >= max) break;
  }
  return ticks;
}

const TIME_STEPS = [
  1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
].map((s) => s * 1000);

function timeStep(span, maxTicks) {
  return TIME_STEPS.find((step) => span / step <= maxTicks) ?? TIME_STEPS[TIME_STEPS.length - 1];
}

/** Horizontal bars for a ranked list: [{ label, value, sub, color }]. */
export function barList(rows, { format = num, empty = 'Nothing to show.' } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  const max = Math.max(...rows.map((r) => r.value), 1);
  return h(
    'div',
    { class: 'bar-list' },
    rows.map((r) =>
      h(
        'div',
        { class: 'bar-row' },
        h('div', { class: 'bar-label' }, r.label, r.sub ? h('span', { class: 'muted' }, ` ${r.sub}`) : null),
        h(
          'div',
          { class: 'bar-track' },
          h('div', { class: 'bar-fill', style: { width: `${(100 * r.value) / max}%`, background: r.color ?? '' } }),
        ),
        h('div', { class: 'bar-value' }, format(r.value)),
      ),
    ),
  );
}
