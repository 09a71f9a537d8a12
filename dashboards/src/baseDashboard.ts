// What every faultline dashboard shares: tags, time range, variables, the
// built-in annotations and links between the three dashboards.
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { commonVariables } from './variables.js';

export const DASHBOARD_TAG = 'faultline';

/** Grafana's own annotations (the ones users add by hand), kept as every new dashboard has them. */
const builtInAnnotations = () =>
  new AnnotationQueryBuilder()
    .name('Annotations & Alerts')
    .builtIn(1)
    .datasource({ type: 'grafana', uid: '-- Grafana --' })
    .enable(true)
    .hide(true)
    .iconColor('rgba(0, 211, 255, 1)')
    .type('dashboard');

export function baseDashboard(uid: string, title: string, description: string): DashboardBuilder {
  let d = new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([DASHBOARD_TAG])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser')
    .refresh('1m')
    .annotation(builtInAnnotations())
    .link(
      new DashboardLinkBuilder('faultline')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true)
        .icon('external link')
        .tooltip('')
        .targetBlank(false),
    );
  for (const v of commonVariables()) d = d.withVariable(v);
  return d;
}
