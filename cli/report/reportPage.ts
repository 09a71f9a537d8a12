// The game-day report page: totals, recovery, charts (hand-drawn SVG, see
// docs/report.md for why not a charting library), rules, cold starts, and the
// slowest and failed requests.
import { BASE_CSS, escapeHtml, page } from './html.js';
import type { GameDayReport } from './model.js';

const CSS = `${BASE_CSS}
header p{margin:2px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:8px;margin:12px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.card b{display:block;font-size:1.25rem;font-variant-numeric:tabular-nums}
.card span{color:var(--muted);font-size:.85rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px}
figure.chart{margin:0;min-width:0;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:6px 8px}
figure.chart figcaption{font-size:.85rem;color:var(--muted);display:flex;flex-wrap:wrap;gap:4px 12px}
figure.chart figcaption b{color:var(--fg);font-weight:600}
.key{display:inline-block;width:10px;height:3px;vertical-align:middle;margin-right:4px}
svg.plot{display:block;width:100%;height:170px;overflow:visible}
svg.plot text{fill:var(--muted);font-size:10px}
svg.plot .grid{stroke:var(--grid);stroke-width:1}
svg.plot .axis{stroke:var(--line)}
svg.plot path.series{fill:none;stroke-width:1.6;stroke-linejoin:round;stroke-linecap:round}
.s-rate{stroke:var(--s1);background:var(--s1)}.s-p50{stroke:var(--s1);background:var(--s1)}
.s-p99{stroke:var(--s2);background:var(--s2)}.s-err{stroke:var(--err);background:var(--err)}
svg.plot circle.s-rate,svg.plot circle.s-p50{fill:var(--s1)}svg.plot circle.s-p99{fill:var(--s2)}svg.plot circle.s-err{fill:var(--err)}
svg.plot rect.band{fill:var(--band);stroke:var(--band-edge);stroke-width:1;stroke-dasharray:3 2}
.band-key{background:var(--band);border:1px dashed var(--band-edge);height:10px}
section.fn{margin-top:8px}
@media (max-width:480px){body{padding:10px}.charts{grid-template-columns:1fr}svg.plot{height:150px}}
@media print{.charts{grid-template-columns:1fr 1fr}figure.chart{border-color:#bbb}}
`;

const SCRIPT = String.raw`(function(){
'use strict';
var D=JSON.parse(document.getElementById('data').textContent);
var NS='http://www.w3.org/2000/svg';
function el(tag,attrs,parent,text){var e=document.createElementNS(NS,tag);for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!=null)e.textContent=text;if(parent)parent.appendChild(e);return e;}
function h(tag,attrs,parent,text){var e=document.createElement(tag);for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!=null)e.textContent=text;if(parent)parent.appendChild(e);return e;}
function ms(v){if(v==null)return '–';if(v>=60000)return (v/60000).toFixed(1)+' min';if(v>=1000)return (v/1000).toFixed(2)+' s';return (v<10?v.toFixed(1):Math.round(v))+' ms';}
function pct(v){return v==null?'–':(v*100).toFixed(v<0.1?2:1)+'%';}
function clock(t){return new Date(t).toISOString().slice(11,19);}
function nice(v){if(!(v>0))return 1;var p=Math.pow(10,Math.floor(Math.log10(v)));var m=v/p;return (m<=1?1:m<=2?2:m<=5?5:10)*p;}
var t0=D.t0Ms,bw=D.bucketMs,n=D.buckets,t1=t0+n*bw;
function rate(s){return s.requests.map(function(r){return r/(bw/1000);});}
function errRate(s){return s.requests.map(function(r,i){return r?s.errors[i]/r*100:null;});}
function specs(s){return [
 {title:'Requests',unit:'/s',fmt:function(v){return v.toFixed(v<10?1:0);},series:[{name:'requests/s',cls:'s-rate',values:rate(s)}]},
 {title:'Error rate',unit:'%',fmt:function(v){return v.toFixed(v<10?1:0)+'%';},series:[{name:'errors %',cls:'s-err',values:errRate(s)}]},
 {title:'Latency',unit:'ms',fmt:function(v){return ms(v);},series:[{name:'p50',cls:'s-p50',values:s.p50Ms},{name:'p99',cls:'s-p99',values:s.p99Ms}]}];}
function draw(fig,spec){
 var old=fig.querySelector('svg');if(old)old.remove();
 var W=Math.max(200,Math.round(fig.clientWidth-16)),H=fig.classList.contains('small')?150:170;
 var L=46,R=8,T=8,B=20,pw=W-L-R,ph=H-T-B;
 var svg=el('svg',{class:'plot',viewBox:'0 0 '+W+' '+H,role:'img','aria-label':spec.title+' over time'},null);
 fig.appendChild(svg);
 var max=0;spec.series.forEach(function(s){s.values.forEach(function(v){if(v!=null&&v>max)max=v;});});max=nice(max*1.05);
 function X(t){return L+(t-t0)/(t1-t0)*pw;}function Y(v){return T+ph-(v/max)*ph;}
 D.bands.forEach(function(b){var x0=X(Math.max(t0,b.fromMs)),x1=X(Math.min(t1,b.toMs));var r=el('rect',{class:'band','data-band':b.ruleId,x:x0.toFixed(1),y:T,width:Math.max(2,x1-x0).toFixed(1),height:ph},svg);el('title',{},r,b.ruleId+': '+clock(b.fromMs)+'–'+clock(b.toMs)+' UTC, '+b.faults+' fault(s) ('+b.from+')');});
 for(var k=0;k<=4;k++){var v=max*k/4,y=Y(v);el('line',{class:'grid',x1:L,x2:W-R,y1:y.toFixed(1),y2:y.toFixed(1)},svg);el('text',{x:L-4,y:(y+3).toFixed(1),'text-anchor':'end'},svg,spec.fmt(v));}
 el('line',{class:'axis',x1:L,x2:W-R,y1:T+ph,y2:T+ph},svg);
 var ticks=Math.max(2,Math.min(6,Math.floor(pw/90)));
 for(var j=0;j<=ticks;j++){var t=t0+(t1-t0)*j/ticks;el('text',{x:X(t).toFixed(1),y:H-5,'text-anchor':j===0?'start':j===ticks?'end':'middle'},svg,clock(t));}
 spec.series.forEach(function(s){var d='',pen=false,lone=[];
  for(var i=0;i<s.values.length;i++){var v=s.values[i];if(v==null){pen=false;continue;}
   var x=X(t0+(i+0.5)*bw).toFixed(1),y=Y(v).toFixed(1);d+=(pen?'L':'M')+x+' '+y;
   if(!pen&&(i+1>=s.values.length||s.values[i+1]==null))lone.push([x,y]);pen=true;}
  var p=el('path',{class:'series '+s.cls,'data-series':s.name,d:d||'M0 0'},svg);el('title',{},p,s.name);
  lone.forEach(function(q){el('circle',{class:s.cls,cx:q[0],cy:q[1],r:2},svg);});});
}
var charts=[];
function group(host,s){var grid=h('div',{class:'charts'},host);specs(s).forEach(function(spec){
 var fig=h('figure',{class:'chart','data-chart':spec.title},grid);var cap=h('figcaption',{},fig);h('b',{},cap,spec.title);
 spec.series.forEach(function(se){var k=h('span',{},cap);h('i',{class:'key '+se.cls},k);k.appendChild(document.createTextNode(se.name));});
 if(D.bands.length){var k=h('span',{},cap);h('i',{class:'key band-key'},k);k.appendChild(document.createTextNode('rule set'));}
 charts.push([fig,spec]);});}
group(document.getElementById('overall'),D.overall);
var fns=document.getElementById('functions');
D.functions.forEach(function(s){var sec=h('section',{class:'fn','data-function':s.function},fns);h('h3',{},sec,s.function);group(sec,s);});
function redraw(){charts.forEach(function(c){draw(c[0],c[1]);});}
redraw();
var lastW=window.innerWidth,timer=0;
window.addEventListener('resize',function(){if(window.innerWidth===lastW)return;lastW=window.innerWidth;clearTimeout(timer);timer=setTimeout(redraw,80);});
window.addEventListener('beforeprint',redraw);
document.body.setAttribute('data-ready','1');
})();`;

const fmtMs = (v: number | null | undefined): string => (v == null ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);
const pct = (v: number): string => `${(v * 100).toFixed(v < 0.1 ? 2 : 1)}%`;
const iso = (t: number): string => new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

function requestRows(rows: GameDayReport['slowest'], sourceArg: string): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  const body = rows
    .map((r) => {
      const id = r.traceId ?? r.requestId;
      const link = r.href ? `<a href="${escapeHtml(r.href)}">waterfall</a>` : `<code>faultline logs correlate ${escapeHtml(id)}${escapeHtml(sourceArg)}</code>`;
      return `<tr data-request="${escapeHtml(r.requestId)}"><td class="mono">${escapeHtml(iso(r.atMs))}</td><td>${escapeHtml(r.function)}</td><td class="num">${fmtMs(r.durationMs)}</td><td>${r.error ? '<span class="err">error</span>' : '<span class="ok">ok</span>'}${r.coldStart ? ' · cold' : ''}${r.faults ? ` · ${r.faults} fault(s)` : ''}</td><td class="mono">${escapeHtml(r.requestId)}</td><td>${link}</td></tr>`;
    })
    .join('');
  return `<div class="table-wrap"><table><thead><tr><th>start (UTC)</th><th>function</th><th class="num">duration</th><th>outcome</th><th>request id</th><th>timeline</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

export function renderReportHtml(r: GameDayReport): string {
  const t = r.totals;
  const sourceArg = r.source.startsWith('log directory ') ? ` --source ${r.source.slice('log directory '.length)}` : '';
  const recovery = r.recovery.length
    ? `<div class="table-wrap"><table id="recovery"><thead><tr><th>rule</th><th>cleared (UTC)</th><th class="num">baseline errors</th><th class="num">baseline p99</th><th class="num">errors recovered in</th><th class="num">latency recovered in</th></tr></thead><tbody>${r.recovery
        .map(
          (x) =>
            `<tr data-rule="${escapeHtml(x.ruleId)}" data-errors-ms="${x.errorsMs ?? 'none'}" data-latency-ms="${x.latencyMs ?? 'none'}"><td>${escapeHtml(x.ruleId)}</td><td class="mono">${escapeHtml(iso(x.clearedAtMs))}</td><td class="num">${pct(x.baselineErrorRate)}</td><td class="num">${fmtMs(x.baselineP99Ms)}</td><td class="num">${x.errorsMs === null ? '<span class="err">not recovered</span>' : fmtMs(x.errorsMs)}</td><td class="num">${x.latencyMs === null ? '<span class="err">not recovered</span>' : fmtMs(x.latencyMs)}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p class="muted">No chaos rule was set or injected a fault in this window.</p>';
  const rules = r.faultsByRule.length
    ? `<div class="table-wrap"><table id="faults"><thead><tr><th>rule</th><th class="num">faults injected</th><th>kinds</th><th>functions</th></tr></thead><tbody>${r.faultsByRule
        .map((f) => `<tr data-rule="${escapeHtml(f.ruleId)}"><td>${escapeHtml(f.ruleId)}</td><td class="num">${f.faults}</td><td>${escapeHtml(f.kinds.join(', '))}</td><td>${escapeHtml(f.functions.join(', '))}</td></tr>`)
        .join('')}</tbody></table></div>`
    : '<p class="muted">No faults injected.</p>';
  const cold = `<div class="table-wrap"><table id="coldstarts"><thead><tr><th>function</th><th class="num">invocations</th><th class="num">cold starts</th><th class="num">share</th><th class="num">init p50</th><th class="num">init p99</th><th class="num">init max</th></tr></thead><tbody>${r.coldStarts
    .map((c) => `<tr><td>${escapeHtml(c.function)}</td><td class="num">${c.invocations}</td><td class="num">${c.coldStarts}</td><td class="num">${pct(c.share)}</td><td class="num">${fmtMs(c.initDuration.p50)}</td><td class="num">${fmtMs(c.initDuration.p99)}</td><td class="num">${fmtMs(c.initDuration.max)}</td></tr>`)
    .join('')}</tbody></table></div>`;
  const card = (v: string, label: string, id: string) => `<div class="card" id="${id}"><b>${v}</b><span>${label}</span></div>`;
  const body = `<header>
<h1>${escapeHtml(r.title)}</h1>
<p class="muted">${escapeHtml(iso(r.range.startMs))} → ${escapeHtml(iso(r.range.endMs))} · ${escapeHtml(r.source)} · ${r.functions.length} function(s) · one point per ${fmtMs(r.bucketMs)}</p>
</header>
<div class="cards">${card(String(t.invocations), 'invocations', 'total-invocations')}${card(pct(t.errorRate), `errors (${t.errors})`, 'total-errors')}${card(fmtMs(t.p50Ms), 'p50 latency', 'total-p50')}${card(fmtMs(t.p99Ms), 'p99 latency', 'total-p99')}${card(String(t.coldStarts), 'cold starts', 'total-cold')}${card(String(t.faults), 'faults injected', 'total-faults')}</div>
<h2>Recovery</h2>
${recovery}
<h2>All functions</h2>
<div id="overall"></div>
<h2>Faults by rule</h2>
${rules}
<h2>Slowest requests</h2>
<div id="slowest">${requestRows(r.slowest, sourceArg)}</div>
<h2>Failed requests${r.failedTotal > r.failed.length ? ` (first ${r.failed.length} of ${r.failedTotal})` : ''}</h2>
<div id="failed">${requestRows(r.failed, sourceArg)}</div>
<h2>Cold starts</h2>
${cold}
<h2>By function</h2>
<div id="functions"></div>
<footer><p class="muted">faultline report · generated ${escapeHtml(iso(Date.now()))}</p></footer>`;
  return page({ title: r.title, css: CSS, body, data: r, script: SCRIPT });
}
