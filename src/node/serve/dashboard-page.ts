/**
 * The dashboard's HTML and CSS (GET /); its script is dashboard-client.ts,
 * compiled with the package and served as /dashboard.js. Nothing is loaded
 * from elsewhere, so the page works offline and needs no build step.
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice · Streaming</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 10px 20px; display: flex; gap: 24px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: 2fr 1fr; }
  #charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
  .chart, .panel { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 10px 12px; }
  .chart h3, .panel h2 { margin: 0 0 6px; font-size: 14px; font-weight: 600; }
  .chart .value { font-size: 18px; color: #0b62d6; }
  .chart .unit, .stats, #distinct { color: #667; font-size: 12px; }
  svg { width: 100%; height: 90px; background: #fafbfc; }
  .line { fill: none; stroke: #0b62d6; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  td, th { padding: 2px 6px; border-bottom: 1px solid #eef0f3; text-align: left; }
  .live { color: #5fd38d; } .down { color: #ff8a80; }
  aside { display: grid; gap: 16px; align-content: start; }
</style>
</head>
<body>
<header>
  <h1>sluice · Streaming</h1>
  <span>batch interval <b id="interval">–</b></span>
  <span>batches <b id="batch-count">0</b></span>
  <span>records <b id="total-records">0</b></span>
  <span id="connection" class="down">connecting</span>
</header>
<main>
  <div>
    <div id="charts"></div>
    <section class="panel" style="margin-top:16px">
      <h2>Latest batches</h2>
      <table><thead><tr><th>batch time (UTC)</th><th>records</th><th>scheduling ms</th><th>processing ms</th><th>total ms</th><th>failure</th></tr></thead><tbody id="batches"></tbody></table>
    </section>
  </div>
  <aside>
    <section class="panel"><h2>Top keys</h2><div id="distinct"></div>
      <table><thead><tr><th>key</th><th>value</th></tr></thead><tbody id="top-keys"></tbody></table></section>
    <section class="panel"><h2>Receivers</h2>
      <table><thead><tr><th>name</th><th>state</th><th>last error</th></tr></thead><tbody id="receivers"></tbody></table></section>
    <section class="panel"><h2>Server</h2><table><tbody id="status"></tbody></table></section>
  </aside>
</main>
<script type="module" src="/dashboard.js"></script>
</body>
</html>
`;
