// The Analytics view's charts, drawn with Chart.js (web/node_modules/chart.js, served by Baton at
// the fixed route /agent/vendor/chart.umd.js). The library is loaded the first time a chart is
// drawn, by a <script src> from the console's own origin (the page's CSP allows nothing else), so
// consoles that never open Analytics never load it. Chart.js draws on a <canvas> and sets sizes
// through the CSSOM, which the CSP's style-src does not restrict; it needs no eval.
import { formatBucket, formatRate } from './format.js';
import { locale, t } from './i18n.js';

const LIBRARY = '/agent/vendor/chart.umd.js';
let loading = null;

// Resolves with window.Chart; rejects when the file cannot be loaded (not installed: the view then
// shows its figures without charts). Loads at most once; a failed load is retried on the next call.
export function loadChartLibrary() {
  if (window.Chart) {
    return Promise.resolve(window.Chart);
  }
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = LIBRARY;
      script.onload = () => (window.Chart ? resolve(window.Chart) : reject(new Error('no Chart')));
      script.onerror = () => {
        script.remove();
        loading = null;
        reject(new Error(`${LIBRARY} could not be loaded`));
      };
      document.head.appendChild(script);
    });
  }
  return loading;
}

// The console's palette (console.css): outcomes keep their colour in every chart.
export const COLOURS = {
  resolved: '#2e7d32', escalated: '#b7791f', abandoned: '#b3261e', unengaged: '#9aa5b1',
  handoffs: '#1f5fbf', firstWait: '#6a3fb5', serviceLevel: '#00897b',
};

const common = {
  animation: false,  // figures, not a show: and a screenshot sees the final state
  responsive: true,
  maintainAspectRatio: false,
  interaction: { mode: 'index', intersect: false },
  plugins: { legend: { position: 'bottom' } },
};

// One chart on `canvas`, created on the first call and updated in place after.
export class ChartSlot {
  constructor(canvas) {
    this.canvas = canvas;
    this.chart = null;
  }

  draw(Chart, config) {
    if (this.chart && this.chart.config.type === config.type) {
      this.chart.data = config.data;
      this.chart.options = config.options;
      this.chart.update('none');
    } else {
      this.chart?.destroy();
      this.chart = new Chart(this.canvas, config);
    }
  }

  destroy() {
    this.chart?.destroy();
    this.chart = null;
  }
}

// Sessions by outcome per bucket, stacked: `series` maps resolved, escalated, abandoned, unengaged
// to the API's points ({start, value}), all of the same buckets.
export function outcomesChart(series, interval) {
  const labels = (series.resolved ?? []).map((p) => formatBucket(p.start, interval, locale()));
  const names = {
    resolved: t('an.outcome.resolved'), escalated: t('an.outcome.escalated'),
    abandoned: t('an.outcome.abandoned'), unengaged: t('an.outcome.unengaged'),
  };
  const bars = ['resolved', 'escalated', 'abandoned', 'unengaged'].map((name) => ({
    label: names[name],
    data: (series[name] ?? []).map((p) => p.value ?? 0),
    backgroundColor: COLOURS[name],
    stack: 'sessions',
  }));
  return {
    type: 'bar',
    data: { labels, datasets: bars },
    options: {
      ...common,
      scales: {
        x: { stacked: true, ticks: { autoSkip: true, maxRotation: 0 } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 },
             title: { display: true, text: t('an.axis.sessions') } },
      },
    },
  };
}

// Handoffs per bucket (bars) with the average first wait in seconds and the service level within
// 20 s (lines on their own axes); empty averages are gaps.
export function queueChart(series, interval) {
  const labels = (series.handoffs ?? []).map((p) => formatBucket(p.start, interval, locale()));
  const seconds = (p) => (p.value === null || p.value === undefined ? null : p.value / 1000);
  // Ringed in white: a lone point stays visible on a bar.
  const points = { pointRadius: 5, pointBorderColor: '#fff', pointBorderWidth: 2 };
  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: t('an.handoffs'), data: (series.handoffs ?? []).map((p) => p.value ?? 0),
          backgroundColor: COLOURS.handoffs, yAxisID: 'count', order: 2 },
        { type: 'line', label: t('an.series.firstWait'), data: (series.first_wait ?? []).map(seconds),
          borderColor: COLOURS.firstWait, backgroundColor: COLOURS.firstWait,
          pointBackgroundColor: COLOURS.firstWait, yAxisID: 'seconds',
          spanGaps: false, ...points, order: 1 },
        { type: 'line', label: t('an.series.serviceLevel'),
          data: (series.service_level_20s ?? []).map((p) => p.value),
          borderColor: COLOURS.serviceLevel, backgroundColor: COLOURS.serviceLevel,
          pointBackgroundColor: COLOURS.serviceLevel, yAxisID: 'share',
          borderDash: [4, 3], spanGaps: false, ...points, order: 0 },
      ],
    },
    options: {
      ...common,
      plugins: {
        legend: { position: 'bottom', reverse: true },  // bars first: lines are drawn over them
        tooltip: { callbacks: { label: (item) => (item.dataset.yAxisID === 'share'
          ? `${item.dataset.label}: ${formatRate(item.raw, locale())}` : undefined) } },
      },
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 0 } },
        count: { position: 'left', beginAtZero: true, ticks: { precision: 0 },
                 title: { display: true, text: t('an.axis.handoffs') } },
        seconds: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false },
                   title: { display: true, text: t('an.axis.seconds') } },
        share: { display: false, min: 0, max: 1 },
      },
    },
  };
}
