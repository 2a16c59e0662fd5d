/** The page's one stylesheet, served as /style.css (no inline styles: the CSP forbids them). */
export const STYLESHEET = `
:root { --bg: #f6f7f9; --fg: #1d232b; --muted: #5b6570; --line: #d7dce2; --accent: #1f5fa8; --crit: #b3261e; --err: #c0570a; --warn: #9a7400; --ok: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #1d232b; color: #fff; }
header a { color: #fff; text-decoration: none; }
header a.current { border-bottom: 2px solid #fff; }
header .brand { font-weight: 600; }
header form { margin-left: auto; }
main { padding: 1rem 1.2rem; max-width: 1200px; }
h1 { font-size: 1.3rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
.sev { font-weight: 600; }
.sev-emerg, .sev-alert, .sev-crit, .state-critical, .state-below, .state-above { color: var(--crit); }
.sev-err, .state-error { color: var(--err); }
.sev-warning, .state-warning, .state-stale { color: var(--warn); }
.state-ok, .state-recovered { color: var(--ok); }
.muted { color: var(--muted); }
form.filters, .ackbar { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin: .6rem 0; }
label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .15rem; }
label.inline { flex-direction: row; align-items: center; gap: .35rem; }
input[type=text], input[type=password], select { font: inherit; padding: .25rem .4rem; border: 1px solid var(--line); border-radius: 3px; min-width: 10rem; }
button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 3px; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
header button { background: transparent; border-color: #fff; }
.notice { padding: .5rem .8rem; background: #e8f1fb; border: 1px solid #b9d3f0; margin-bottom: 1rem; }
.error { padding: .5rem .8rem; background: #fdecea; border: 1px solid #f3b8b2; margin-bottom: 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid var(--line); padding: .8rem; }
.card h2 { margin-top: 0; }
.readings { display: flex; flex-wrap: wrap; gap: 1rem; margin-bottom: .5rem; }
.reading { min-width: 7rem; }
.reading .value { font-size: 1.25rem; font-weight: 600; }
svg.chart { display: block; margin: .3rem 0; font-size: 10px; }
svg.chart rect.plot { fill: #fafbfc; stroke: var(--line); }
svg.chart polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; }
svg.chart circle { fill: var(--accent); }
svg.chart text { fill: var(--muted); }
svg.chart.small { margin: 0; }
nav.pager { display: flex; flex-wrap: wrap; gap: .8rem; align-items: baseline; margin: .5rem 0; color: var(--muted); }
pre { background: #fff; border: 1px solid var(--line); padding: .6rem; overflow: auto; }
.login { max-width: 22rem; margin: 3rem auto; background: #fff; border: 1px solid var(--line); padding: 1.2rem; display: flex; flex-direction: column; gap: .8rem; }
`;
