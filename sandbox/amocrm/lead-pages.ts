/**
 * Read-only HTML pages for people: `/` links to `/_emulator/ui`, the account's leads with
 * pipeline, status (142 won, 143 lost), price, custom fields and notes; one lead in full.
 */
import {
  html,
  link,
  PAGES_PATH,
  renderPage,
  sendPage,
  table,
  type SafeHtml,
} from '../common/html-page';
import type { AmoState } from './amocrm-state';
import type { AmoLead, AmoNote, AmoPipeline } from './amocrm-types';
import { LOST_STATUS_ID, WON_STATUS_ID } from './lead-input';
import { route, type Route } from './route-table';

const EMULATOR = 'amoCRM';

const leadPath = (id: number): string => `${PAGES_PATH}/leads/${id}`;
const time = (sec: number | null): string =>
  sec === null ? '' : new Date(sec * 1000).toISOString();

function pipelineCell(pipelines: AmoPipeline[], lead: AmoLead): string {
  const pipeline = pipelines.find((p) => p.id === lead.pipeline_id);
  return pipeline ? `${pipeline.name} (${pipeline.id})` : String(lead.pipeline_id);
}

function statusCell(pipelines: AmoPipeline[], lead: AmoLead): SafeHtml {
  const pipeline = pipelines.find((p) => p.id === lead.pipeline_id);
  const status = pipeline?.statuses.find((s) => s.id === lead.status_id);
  const css =
    lead.status_id === WON_STATUS_ID ? 'won' : lead.status_id === LOST_STATUS_ID ? 'lost' : '';
  return html`<span class="${css}">${status?.name ?? '?'}</span> <code>${lead.status_id}</code>`;
}

function customFields(lead: AmoLead): SafeHtml[] {
  return (lead.custom_fields_values ?? []).map(
    (f) =>
      html`<div>
        ${f.field_name}${f.field_code ? html` <code>${f.field_code}</code>` : ''}:
        ${f.values.map((v) => v.value ?? v.enum_code ?? v.enum_id).join(', ')}
      </div>`,
  );
}

function noteText(note: AmoNote): string {
  const text = note.params.text;
  return typeof text === 'string' ? text : JSON.stringify(note.params);
}

function notes(list: AmoNote[]): SafeHtml {
  if (list.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="comments">
    ${list.map(
      (n) =>
        html`<li>
          <span class="muted">${time(n.created_at)} ${n.note_type}</span>
          <span class="pre">${noteText(n)}</span>
        </li>`,
    )}
  </ul>`;
}

function leadsPage(state: AmoState): string {
  const pipelines = state.listPipelines();
  const account = state.getAccount();
  const allNotes = state.listNotes();
  const rows = state
    .listLeads()
    .sort((a, b) => a.id - b.id)
    .map((lead) => [
      link(leadPath(lead.id), lead.id),
      lead.name,
      pipelineCell(pipelines, lead),
      statusCell(pipelines, lead),
      `${lead.price} ${account.currency}`,
      customFields(lead),
      lead.tags.map((t) => t.name).join(', '),
      notes(allNotes.filter((n) => n.entity_id === lead.id)),
    ]);
  const headers = ['ID', 'Name', 'Pipeline', 'Status', 'Price', 'Custom fields', 'Tags', 'Notes'];
  return renderPage({
    emulator: EMULATOR,
    title: `Leads of account ${account.name}`,
    body: html`<p class="muted">
        Account host <code>${state.host}</code>, API <code>${state.url}/api/v4</code>. Status 142 is
        won, 143 is lost, in every pipeline.
      </p>
      ${table(headers, rows, 'No leads yet.')}`,
  });
}

function leadPage(state: AmoState, id: number): string | undefined {
  const lead = state.getLead(id);
  if (!lead) return undefined;
  const pipelines = state.listPipelines();
  const fields = Object.entries(lead).map(([key, value]) => [html`<code>${key}</code>`, value]);
  return renderPage({
    emulator: EMULATOR,
    title: `Lead ${lead.id}: ${lead.name}`,
    body: html`<p>${link(PAGES_PATH, 'All leads')}</p>
      <p>
        Pipeline ${pipelineCell(pipelines, lead)}, status ${statusCell(pipelines, lead)}, price
        ${lead.price} ${state.getAccount().currency}
      </p>
      <form method="post" action="${leadPath(lead.id)}/move">
        <select name="status_id">
          ${(pipelines.find((p) => p.id === lead.pipeline_id)?.statuses ?? []).map(
            (s) =>
              html`<option value="${s.id}" ${s.id === lead.status_id ? 'selected' : ''}>
                ${s.name}
              </option>`,
          )}
        </select>
        <button type="submit">Move lead to status</button>
      </form>
      <h2>Notes</h2>
      ${notes(state.listNotes(id))}
      <h2>Custom fields</h2>
      ${customFields(lead)}
      <h2>Fields (as GET /api/v4/leads/${lead.id} has them)</h2>
      ${table(['Field', 'Value'], fields)}`,
  });
}

function landingPage(state: AmoState): string {
  return renderPage({
    emulator: EMULATOR,
    title: 'Account',
    refreshSeconds: 0,
    body: html`<ul>
        <li>${link(PAGES_PATH, 'Leads, with status and notes')}</li>
      </ul>
      <p class="muted">
        API: <code>${state.url}/api/v4</code>, OAuth: <code>${state.url}/oauth</code>.
      </p>`,
  });
}

/** Unauthenticated and outside the API: counted, limited and faulted as controls are (never). */
export function buildPageRoutes(state: AmoState): Route[] {
  const page = (path: string, handler: Route['handler']): Route =>
    route('GET', path, 'control', handler, false);
  const lead: Route['handler'] = ({ res, params }) => {
    const found = leadPage(state, Number(params[0]));
    if (found) return sendPage(res, 200, found);
    const body = html`<p>No lead ${params[0]}.</p>`;
    sendPage(res, 404, renderPage({ emulator: EMULATOR, title: 'Not found', body }));
  };
  return [
    page('/', ({ res }) => sendPage(res, 200, landingPage(state))),
    page(PAGES_PATH, ({ res }) => sendPage(res, 200, leadsPage(state))),
    page(`${PAGES_PATH}/leads/:id`, lead),
    // Where amoCRM opens a lead (the hub's links in the audit trail).
    page('/leads/detail/:id', lead),
  ];
}
