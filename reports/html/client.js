// Draws the charts of a report whose every table and figure is already in the page: each
// box `[data-chart=N]` gets chart N of the embedded JSON. Strings reach the charts only as
// labels drawn on canvases, never as HTML. Without this script the page reads the same,
// charts aside.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  var data = JSON.parse(document.getElementById('rb-data').textContent);
  var Chart = window.Chart;
  var BP = window.ChartBoxPlot;
  Chart.register(BP.BoxPlotController, BP.BoxAndWiskers, BP.ViolinController, BP.Violin);

  var PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];
  var TONE = { good: '#1a7f37', bad: '#c62828', warn: '#b35900', muted: '#8a8a8a' };
  var narrow = window.matchMedia && window.matchMedia('(max-width: 700px)').matches;

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  function title(text) {
    return { display: true, text: text };
  }

  // The values a chart draws, to bound a logarithmic axis (which would otherwise start at 1).
  function valuesOf(c) {
    var out = [];
    (c.datasets || []).forEach(function (d) {
      d.data.forEach(function (x) {
        if (Array.isArray(x)) out.push.apply(out, x);
        else if (typeof x === 'number') out.push(x);
      });
    });
    return out.filter(function (x) {
      return x > 0;
    });
  }

  // 1, 2 or 5 times a power of ten: at most x (down) or at least x (up).
  function nice(x, up) {
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    var steps = up ? [1, 2, 5, 10] : [10, 5, 2, 1];
    for (var i = 0; i < steps.length; i++) {
      var v = steps[i] * p;
      if (up ? v >= x : v <= x) return v;
    }
    return up ? 10 * p : p;
  }

  // A value axis: linear from zero, or logarithmic when the section said so.
  function valueAxis(c, extra) {
    var axis = { title: title(c.axis), grid: { color: '#e6e6e6' } };
    var values = valuesOf(c);
    if (c.scale === 'log' && values.length > 0) {
      axis.type = 'logarithmic';
      axis.min = nice(Math.min.apply(null, values) * 0.9, false);
      axis.max = nice(Math.max.apply(null, values) * 1.1, true);
      // label 1, 2 and 5 times each power of ten only
      axis.ticks = {
        autoSkip: false,
        maxRotation: 0,
        callback: function (v) {
          var m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
          return Math.abs(m - 1) < 1e-6 || Math.abs(m - 2) < 1e-6 || Math.abs(m - 5) < 1e-6 ? String(Number(v.toPrecision(3))) : '';
        },
      };
    } else axis.beginAtZero = true;
    return Object.assign(axis, extra || {});
  }

  // Long configuration names are cut on a phone; the table beside the chart has them whole.
  function categoryAxis() {
    return {
      ticks: {
        autoSkip: false,
        callback: function (value) {
          var label = String(this.getLabelForValue(value));
          var max = narrow ? 22 : 48;
          return label.length > max ? label.slice(0, max - 1) + '…' : label;
        },
      },
    };
  }

  // A legend of the entries the section gave: what each colour stands for.
  function legendOf(entries) {
    return {
      display: true,
      position: 'top',
      align: 'start',
      onClick: null,
      labels: {
        boxWidth: 12,
        generateLabels: function () {
          return entries.map(function (e) {
            return { text: e.label, fillStyle: alpha(e.color, 0.5), strokeStyle: e.color, lineWidth: 1, hidden: false };
          });
        },
      },
    };
  }

  function common() {
    return { animation: false, responsive: true, maintainAspectRatio: false };
  }

  function boxplot(c) {
    return {
      type: 'boxplot',
      data: {
        labels: c.labels,
        datasets: c.datasets.map(function (d) {
          var colors = c.labels.map(function (_, i) {
            return d.color || c.colors[i] || PALETTE[0];
          });
          return {
            label: d.label,
            data: d.data,
            backgroundColor: colors.map(function (x) {
              return alpha(x, 0.35);
            }),
            borderColor: colors,
            borderWidth: 1.5,
            outlierBackgroundColor: colors,
            itemRadius: 2,
            itemStyle: 'circle',
            itemBackgroundColor: colors.map(function (x) {
              return alpha(x, 0.6);
            }),
            coef: 1.5,
            quantiles: 'linear',
          };
        }),
      },
      options: Object.assign(common(), {
        indexAxis: 'y',
        plugins: { legend: legendOf(c.legend) },
        scales: { x: valueAxis(c), y: categoryAxis() },
      }),
    };
  }

  function line(c) {
    return {
      type: 'line',
      data: {
        labels: c.labels,
        datasets: c.datasets.map(function (d, i) {
          var color = PALETTE[i % PALETTE.length];
          return {
            label: d.label,
            data: d.data,
            borderColor: color,
            backgroundColor: color,
            spanGaps: true,
            pointRadius: d.flagged.map(function (f) {
              return f ? 8 : 3;
            }),
            pointStyle: d.flagged.map(function (f) {
              return f ? 'triangle' : 'circle';
            }),
            pointBackgroundColor: d.flagged.map(function (f) {
              return f ? TONE.bad : color;
            }),
            pointBorderColor: d.flagged.map(function (f) {
              return f ? TONE.bad : color;
            }),
          };
        }),
      },
      options: Object.assign(common(), {
        plugins: { legend: { display: true, position: 'top', align: 'start' } },
        scales: { y: valueAxis(c), x: { ticks: { maxRotation: 60, minRotation: 30 } } },
      }),
    };
  }

  function bar(c) {
    return {
      type: 'bar',
      data: {
        labels: c.labels,
        datasets: c.datasets.map(function (d, i) {
          var color = d.tone ? TONE[d.tone] : PALETTE[i % PALETTE.length];
          var each =
            d.colors ||
            (d.tones
              ? d.tones.map(function (t) {
                  return TONE[t];
                })
              : null);
          return {
            label: d.label,
            data: d.data,
            backgroundColor: each
              ? each.map(function (x) {
                  return alpha(x, 0.7);
                })
              : alpha(color, 0.7),
            borderColor: each || color,
          };
        }),
      },
      options: Object.assign(common(), {
        indexAxis: 'y',
        plugins: { legend: c.legend ? legendOf(c.legend) : { display: true, position: 'top', align: 'start' } },
        scales: c.stacked
          ? { x: valueAxis(c, { stacked: true, ticks: { precision: 0 } }), y: Object.assign(categoryAxis(), { stacked: true }) }
          : { x: valueAxis(c), y: categoryAxis() },
      }),
    };
  }

  // The band of ± the threshold inside which a change counts as none, and the line at 0.
  var thresholdBand = {
    id: 'rbThresholdBand',
    beforeDatasetsDraw: function (chart) {
      var t = chart.config.options.rbThreshold;
      if (typeof t !== 'number') return;
      var x = chart.scales.x;
      var area = chart.chartArea;
      var ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = '#dde8f3';
      var left = Math.max(area.left, x.getPixelForValue(-t));
      var right = Math.min(area.right, x.getPixelForValue(t));
      ctx.fillRect(left, area.top, Math.max(0, right - left), area.bottom - area.top);
      ctx.strokeStyle = '#555';
      ctx.lineWidth = 1;
      var zero = x.getPixelForValue(0);
      ctx.beginPath();
      ctx.moveTo(zero, area.top);
      ctx.lineTo(zero, area.bottom);
      ctx.stroke();
      ctx.restore();
    },
  };

  function change(c) {
    var colors = c.tones.map(function (t) {
      return TONE[t];
    });
    var span = c.interval.reduce(function (m, iv) {
      return Math.max(m, Math.abs(iv[0]), Math.abs(iv[1]));
    }, c.thresholdPercent * 2);
    return {
      type: 'bar',
      data: {
        labels: c.labels,
        datasets: [
          {
            label: 'interval',
            data: c.interval,
            backgroundColor: colors.map(function (x) {
              return alpha(x, 0.45);
            }),
            borderColor: colors,
            borderWidth: 1,
            barPercentage: 0.35,
            categoryPercentage: 1,
            order: 2,
          },
          {
            type: 'line',
            label: 'change',
            data: c.change,
            showLine: false,
            pointStyle: 'rectRot',
            pointRadius: 5,
            pointBackgroundColor: colors,
            pointBorderColor: '#222',
            order: 1,
          },
        ],
      },
      options: Object.assign(common(), {
        indexAxis: 'y',
        rbThreshold: c.thresholdPercent,
        plugins: { legend: legendOf(c.legend) },
        scales: {
          x: { title: title(c.axis), min: -Math.ceil(span * 1.05), max: Math.ceil(span * 1.05) },
          y: categoryAxis(),
        },
      }),
      plugins: [thresholdBand],
    };
  }

  // density curves: lines over a count, axes from zero
  function xy(c) {
    return {
      type: 'scatter',
      data: {
        datasets: c.datasets.map(function (d, i) {
          var color = PALETTE[i % PALETTE.length];
          return { label: d.label, data: d.points, showLine: true, borderColor: color, backgroundColor: color, borderWidth: 1.5, pointRadius: 1.5 };
        }),
      },
      options: Object.assign(common(), {
        plugins: { legend: { display: true, position: 'top', align: 'start' } },
        scales: { x: { type: 'linear', title: title(c.xAxis), beginAtZero: true }, y: { title: title(c.axis), beginAtZero: true } },
      }),
    };
  }

  function config(c) {
    if (c.type === 'xy') return xy(c);
    if (c.type === 'boxplot') return boxplot(c);
    if (c.type === 'line') return line(c);
    if (c.type === 'change') return change(c);
    return bar(c);
  }

  // Horizontal charts grow with their rows so every label has room.
  function height(c) {
    if (c.type === 'line' || c.type === 'xy') return 300;
    var rows = c.labels.length * (c.type === 'boxplot' ? c.datasets.length : 1);
    return Math.max(160, (c.type === 'boxplot' ? 26 : 22) * rows + 90);
  }

  var boxes = document.querySelectorAll('.chart-box[data-chart]');
  var drawn = 0;
  Array.prototype.forEach.call(boxes, function (box) {
    var c = data.charts[Number(box.getAttribute('data-chart'))];
    var canvas = box.querySelector('canvas');
    try {
      box.style.height = height(c) + 'px';
      new Chart(canvas, config(c));
      canvas.setAttribute('data-drawn', 'true');
      drawn++;
    } catch (e) {
      canvas.setAttribute('data-drawn', 'false');
      console.error('chart failed: ' + (e && e.message ? e.message : String(e)));
    }
  });
  document.body.setAttribute('data-charts', String(drawn) + '/' + String(boxes.length));
})();
