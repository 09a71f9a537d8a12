// The request waterfall page: spans nested by parent, faults marked on the
// span they hit; a click shows the span's attributes and the request's lines
// in time order. Rows are virtualised (only those in view are in the DOM), so
// thousands of spans open and scroll at once.
import { BASE_CSS, escapeHtml, page } from './html.js';
import type { WaterfallModel } from './waterfall.js';

const ROW_PX = 24;

const CSS = `${BASE_CSS}
.wf{border:1px solid var(--line);border-radius:6px;background:var(--card)}
.wf-head{display:grid;grid-template-columns:minmax(140px,38%) 1fr;border-bottom:1px solid var(--line);font-size:.8rem;color:var(--muted)}
.wf-head div{padding:4px 8px}.ticks{position:relative;height:22px}.ticks span{position:absolute;top:4px;transform:translateX(-50%);white-space:nowrap}
.wf-scroll{height:min(70vh,640px);overflow:auto;position:relative;contain:strict}
.wf-rows{position:relative}
.row{position:absolute;left:0;right:0;height:${ROW_PX}px;display:grid;grid-template-columns:minmax(140px,38%) 1fr;align-items:center;cursor:pointer;border-bottom:1px solid var(--grid)}
.row:hover,.row:focus{background:var(--grid);outline:none}.row.sel{background:var(--grid);box-shadow:inset 3px 0 var(--s1)}
.lbl{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;padding-right:8px;font-size:.85rem}
.lbl .fn{color:var(--muted);margin-left:6px;font-size:.8em}
.track{position:relative;height:100%}
.bar{position:absolute;top:6px;height:${ROW_PX - 12}px;min-width:2px;border-radius:2px;background:var(--s1)}
.bar.ERROR{background:var(--err)}.bar.cold{box-shadow:inset 0 0 0 2px var(--cold)}
.fault{position:absolute;top:2px;width:10px;height:10px;margin-left:-5px;transform:rotate(45deg);background:var(--err);border:1px solid var(--bg)}
.dur{position:absolute;top:4px;font-size:.75rem;color:var(--muted);white-space:nowrap}.dur.in{color:#fff;top:5px;font-size:.7rem}
#detail{margin-top:12px}
#detail table td:first-child{white-space:nowrap;color:var(--muted)}
.lines td{font-size:.85rem}.lines tr.mine td{background:var(--grid)}
.lvl-ERROR{color:var(--err)}.lvl-WARN{color:var(--s2)}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.85rem;color:var(--muted);margin:8px 0}
.legend i{display:inline-block;width:14px;height:8px;margin-right:4px;vertical-align:middle;border-radius:2px}
@media (max-width:480px){body{padding:10px}.row,.wf-head{grid-template-columns:minmax(110px,45%) 1fr}.dur{display:none}}
@media print{.wf-scroll{height:auto;overflow:visible;contain:none}.row{position:static}.wf-rows{height:auto!important}}
`;

const SCRIPT = String.raw`(function(){
'use strict';
var T0=performance.now();
var D=JSON.parse(document.getElementById('data').textContent);
var S=D.spans,ROW=${ROW_PX},total=Math.max(D.totalMs,1);
var scroller=document.getElementById('wf-scroll'),rows=document.getElementById('wf-rows'),detail=document.getElementById('detail'),ticks=document.getElementById('ticks');
var printing=false,selected=-1;
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
function ms(v){if(v==null)return '–';if(v>=1000)return (v/1000).toFixed(2)+' s';return (v<10?v.toFixed(1):Math.round(v))+' ms';}
function pc(v){return (v/total*100).toFixed(3)+'%';}
rows.style.height=(S.length*ROW)+'px';scroller.style.height='min(70vh,'+(S.length*ROW+2)+'px)';
for(var k=0;k<=4;k++){var tk=document.createElement('span');tk.style.left=(k*25)+'%';tk.textContent=ms(total*k/4);if(k===0)tk.style.transform='none';if(k===4)tk.style.transform='translateX(-100%)';ticks.appendChild(tk);}
function rowHtml(i){var s=S[i];var f='';
 for(var j=0;j<s.faults.length;j++){var fl=s.faults[j];f+='<i class="fault" data-fault="'+i+'" style="left:'+pc(s.startMs)+'" title="fault '+esc((fl.fault||'')+' '+(fl.detail||'')+' rule '+(fl.ruleId||'?'))+'"></i>';}
 var w=s.durationMs==null?0:s.durationMs;
 return '<div class="row'+(i===selected?' sel':'')+'" role="button" tabindex="0" data-span="'+i+'" style="top:'+(printing?0:i*ROW)+'px">'+
  '<div class="lbl" style="padding-left:'+(6+Math.min(s.depth,30)*12)+'px" title="'+esc(s.name+' · '+s.function)+'">'+(s.faults.length?'<b class="err">⚡</b> ':'')+esc(s.name)+'<span class="fn">'+esc(s.function)+'</span></div>'+
  '<div class="track"><div class="bar '+s.status+(s.coldStart?' cold':'')+'" style="left:'+pc(s.startMs)+';width:'+pc(w)+'"></div>'+f+
  (s.startMs+w>total*0.85?'<span class="dur in" style="right:calc('+pc(total-s.startMs-w)+' + 4px)">':'<span class="dur" style="left:calc('+pc(s.startMs+w)+' + 4px)">')+ms(s.durationMs)+'</span></div></div>';}
var lastFirst=-1,lastLast=-1;
function render(force){var first,last;
 if(printing){first=0;last=S.length;}else{first=Math.max(0,Math.floor(scroller.scrollTop/ROW)-8);last=Math.min(S.length,Math.ceil((scroller.scrollTop+scroller.clientHeight)/ROW)+8);}
 if(!force&&first===lastFirst&&last===lastLast)return;lastFirst=first;lastLast=last;
 var html='';for(var i=first;i<last;i++)html+=rowHtml(i);rows.innerHTML=html;}
var pending=false;
scroller.addEventListener('scroll',function(){if(pending)return;pending=true;requestAnimationFrame(function(){pending=false;render(false);});});
window.addEventListener('resize',function(){render(true);});
window.addEventListener('beforeprint',function(){printing=true;render(true);});
window.addEventListener('afterprint',function(){printing=false;render(true);});
function show(i){selected=i;render(true);var s=S[i];var a='';
 a+='<tr><td>function</td><td>'+esc(s.function)+'</td></tr><tr><td>kind</td><td>'+esc(s.kind)+'</td></tr><tr><td>start</td><td>+'+ms(s.startMs)+'</td></tr><tr><td>duration</td><td>'+ms(s.durationMs)+'</td></tr><tr><td>status</td><td class="'+(s.status==='ERROR'?'err':'')+'">'+esc(s.status+(s.statusMessage?' '+s.statusMessage:''))+'</td></tr>';
 if(s.requestId)a+='<tr><td>request id</td><td class="mono">'+esc(s.requestId)+'</td></tr>';
 if(s.spanId)a+='<tr><td>span id</td><td class="mono">'+esc(s.spanId)+'</td></tr>';
 s.faults.forEach(function(fl){a+='<tr><td class="err">fault</td><td class="err">'+esc((fl.fault||'?')+(fl.detail?' '+fl.detail:'')+' · rule '+(fl.ruleId||'?'))+'</td></tr>';});
 Object.keys(s.attributes).sort().forEach(function(k){var v=s.attributes[k];a+='<tr><td class="mono">'+esc(k)+'</td><td class="mono">'+esc(typeof v==='string'?v:JSON.stringify(v))+'</td></tr>';});
 var ls=D.lines.filter(function(l){return s.requestId?l.requestId===s.requestId:(s.spanId&&l.spanId===s.spanId);});
 var lh=ls.map(function(l){return '<tr class="'+(s.spanId&&l.spanId===s.spanId?'mine':'')+'"><td class="mono">+'+ms(l.atMs)+'</td><td>'+esc(l.function)+'</td><td class="lvl-'+esc(l.level)+'">'+esc(l.level)+'</td><td class="mono">'+esc(l.message)+'</td></tr>';}).join('');
 detail.innerHTML='<h2>'+esc(s.name)+'</h2><div class="table-wrap"><table id="attrs"><tbody>'+a+'</tbody></table></div><h3>The request\'s log lines ('+ls.length+')</h3>'+(ls.length?'<div class="table-wrap"><table class="lines"><tbody>'+lh+'</tbody></table></div>':'<p class="muted">No lines carry this request id.</p>');}
rows.addEventListener('click',function(e){var r=e.target.closest('[data-span]');if(r)show(Number(r.getAttribute('data-span')));});
rows.addEventListener('keydown',function(e){if(e.key!=='Enter'&&e.key!==' ')return;var r=e.target.closest('[data-span]');if(r){e.preventDefault();show(Number(r.getAttribute('data-span')));}});
render(true);
document.body.setAttribute('data-draw-ms',String(Math.round(performance.now()-T0)));
document.body.setAttribute('data-ready','1');
})();`;

export function renderWaterfallHtml(m: WaterfallModel): string {
  const faults = m.spans.reduce((a, s) => a + s.faults.length, 0);
  const errors = m.spans.filter((s) => s.status === 'ERROR').length;
  const fns = new Set(m.spans.map((s) => s.function));
  const body = `<header>
<h1>Request ${escapeHtml(m.id)}</h1>
<p class="muted">${escapeHtml(new Date(m.t0Ms).toISOString())} · <span id="span-count">${m.spans.length}</span> span(s) across ${fns.size} function(s) · ${escapeHtml(String(Math.round(m.totalMs * 10) / 10))} ms · ${errors} error(s) · ${faults} fault(s) injected${m.traceIds.length ? ` · trace ${m.traceIds.map(escapeHtml).join(', ')}` : ''}</p>
</header>
<div class="legend"><span><i style="background:var(--s1)"></i>span</span><span><i style="background:var(--err)"></i>error</span><span><i style="box-shadow:inset 0 0 0 2px var(--cold)"></i>cold start</span><span><i style="background:var(--err);width:8px;height:8px;transform:rotate(45deg)"></i>fault injected</span><span>click a span for its attributes and the request's lines</span></div>
<div class="wf" id="wf" data-spans="${m.spans.length}">
<div class="wf-head"><div>span · function</div><div class="ticks" id="ticks"></div></div>
<div class="wf-scroll" id="wf-scroll"><div class="wf-rows" id="wf-rows"></div></div>
</div>
<div id="detail"><p class="muted">Select a span.</p></div>`;
  return page({ title: `faultline · request ${m.id}`, css: CSS, body, data: m, script: SCRIPT });
}
