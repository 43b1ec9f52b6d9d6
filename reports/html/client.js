// Draws the report model embedded in the page. Every string from the results is set with
// textContent (never parsed as HTML); charts are drawn on canvases.
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('rb-data').textContent);
  var Chart = window.Chart;
  var BP = window.ChartBoxPlot;
  Chart.register(BP.BoxPlotController, BP.BoxAndWiskers, BP.ViolinController, BP.Violin);

  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var TONE = { good: '#2ca02c', bad: '#d62728', warn: '#ff7f0e', muted: '#9a9a9a' };

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  function renderTable(t) {
    var wrap = el('div', 'table-wrap');
    var table = el('table');
    table.appendChild(el('caption', null, t.caption));
    var thead = el('thead');
    var hr = el('tr');
    t.columns.forEach(function (c, i) {
      hr.appendChild(el('th', t.numeric[i] ? 'num' : null, c));
    });
    thead.appendChild(hr);
    table.appendChild(thead);
    var tbody = el('tbody');
    t.rows.forEach(function (row) {
      var tr = el('tr');
      row.forEach(function (cell, i) {
        var td = el('td', t.numeric[i] ? 'num' : null);
        if (typeof cell === 'string') td.textContent = cell;
        else {
          td.textContent = cell.text;
          td.classList.add('tone-' + cell.tone);
        }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    wrap.appendChild(table);
    return wrap;
  }

  function axisTitle(text) {
    return { display: true, text: text };
  }

  function chartConfig(c) {
    var common = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: c.datasets.length > 1 } },
    };
    if (c.type === 'boxplot') {
      return {
        type: 'boxplot',
        data: {
          labels: c.labels,
          datasets: c.datasets.map(function (d, i) {
            var color = PALETTE[i % PALETTE.length];
            return {
              label: d.label,
              data: d.data,
              backgroundColor: alpha(color, 0.35),
              borderColor: color,
              borderWidth: 1.5,
              outlierBackgroundColor: color,
              itemRadius: 2,
              itemStyle: 'circle',
              itemBackgroundColor: alpha(color, 0.6),
              coef: 1.5,
              quantiles: 'linear',
            };
          }),
        },
        options: Object.assign(common, { scales: { y: { title: axisTitle(c.axis), beginAtZero: false } } }),
      };
    }
    if (c.type === 'line') {
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
              pointRadius: d.flagged.map(function (f) { return f ? 8 : 3; }),
              pointStyle: d.flagged.map(function (f) { return f ? 'triangle' : 'circle'; }),
              pointBackgroundColor: d.flagged.map(function (f) { return f ? TONE.bad : color; }),
              pointBorderColor: d.flagged.map(function (f) { return f ? TONE.bad : color; }),
            };
          }),
        },
        options: Object.assign(common, {
          plugins: { legend: { display: true } },
          scales: { y: { title: axisTitle(c.axis) }, x: { ticks: { maxRotation: 60, minRotation: 30 } } },
        }),
      };
    }
    if (c.type === 'xy') {
      return {
        type: 'scatter',
        data: {
          datasets: c.datasets.map(function (d, i) {
            var color = PALETTE[i % PALETTE.length];
            return { label: d.label, data: d.points, showLine: true, borderColor: color, backgroundColor: color, borderWidth: 1.5, pointRadius: 1.5 };
          }),
        },
        options: Object.assign(common, {
          plugins: { legend: { display: true } },
          scales: { x: { type: 'linear', title: axisTitle(c.xAxis), beginAtZero: true }, y: { title: axisTitle(c.axis), beginAtZero: true } },
        }),
      };
    }
    return {
      type: 'bar',
      data: {
        labels: c.labels,
        datasets: c.datasets.map(function (d, i) {
          var color = d.tone ? TONE[d.tone] : PALETTE[i % PALETTE.length];
          return {
            label: d.label,
            data: d.data,
            backgroundColor: d.tones
              ? d.tones.map(function (t) { return alpha(TONE[t], 0.7); })
              : alpha(color, 0.7),
            borderColor: d.tones ? d.tones.map(function (t) { return TONE[t]; }) : color,
          };
        }),
      },
      options: Object.assign(common, {
        indexAxis: c.stacked ? 'x' : 'y',
        scales: c.stacked
          ? { x: { stacked: true }, y: { stacked: true, title: axisTitle(c.axis), ticks: { precision: 0 } } }
          : { x: { title: axisTitle(c.axis) } },
      }),
    };
  }

  function renderFigure(f) {
    // A wide table goes under its chart instead of beside it.
    var fig = el('figure', f.table.columns.length > 7 ? 'figure wide' : 'figure');
    fig.id = f.id;
    fig.appendChild(el('figcaption', null, f.title));
    var row = el('div', 'figure-row');
    var box = el('div', 'chart-box');
    var rows = f.chart.labels.length;
    if (f.chart.type === 'bar' && !f.chart.stacked) box.style.height = Math.max(220, 28 * rows + 80) + 'px';
    var canvas = el('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', f.title);
    box.appendChild(canvas);
    row.appendChild(box);
    row.appendChild(renderTable(f.table));
    fig.appendChild(row);
    return { node: fig, canvas: canvas, chart: f.chart };
  }

  var root = document.getElementById('report');
  var header = el('header');
  header.appendChild(el('h1', null, model.title));
  header.appendChild(el('p', 'subtitle', model.subtitle));
  var nav = el('nav');
  model.sections.forEach(function (s) {
    var a = el('a', null, s.title);
    a.href = '#' + s.id;
    nav.appendChild(a);
  });
  header.appendChild(nav);
  root.appendChild(header);

  var pending = [];
  model.sections.forEach(function (s) {
    var section = el('section');
    section.id = s.id;
    section.appendChild(el('h2', null, s.title));
    s.paragraphs.forEach(function (p) {
      section.appendChild(el('p', null, p));
    });
    s.figures.forEach(function (f) {
      var r = renderFigure(f);
      section.appendChild(r.node);
      pending.push(r);
    });
    s.tables.forEach(function (t) {
      section.appendChild(renderTable(t));
    });
    root.appendChild(section);
  });

  var drawn = 0;
  pending.forEach(function (p) {
    try {
      new Chart(p.canvas, chartConfig(p.chart));
      p.canvas.setAttribute('data-drawn', 'true');
      drawn++;
    } catch (e) {
      p.canvas.setAttribute('data-drawn', 'false');
      console.error('chart failed: ' + (e && e.message ? e.message : String(e)));
    }
  });
  document.body.setAttribute('data-charts', String(drawn) + '/' + String(pending.length));
})();
