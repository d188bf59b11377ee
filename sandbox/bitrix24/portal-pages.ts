/**
 * Read-only HTML pages for people under `/_emulator/ui`: the portals, each portal's deals with
 * pipeline, stage, amount, ORIGIN_ID and timeline comments, and one deal in full.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  html,
  link,
  PAGES_PATH,
  renderPage,
  sendPage,
  table,
  type SafeHtml,
} from '../common/html-page';
import type { EmulatorState } from './emulator-state';
import type { Portal } from './portal-model';
import type { DealRow } from './portal-types';

const EMULATOR = 'Bitrix24';

const portalPath = (p: Portal): string => `${PAGES_PATH}/portals/${encodeURIComponent(p.name)}`;
const dealPath = (p: Portal, id: unknown): string =>
  `${portalPath(p)}/deals/${encodeURIComponent(String(id))}`;

const text = (value: unknown): string =>
  value === null || value === undefined
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

function pipeline(portal: Portal, deal: DealRow): string {
  const category = portal.categories.get(Number(deal.CATEGORY_ID));
  return category ? `${category.name} (${category.id})` : text(deal.CATEGORY_ID);
}

function stage(portal: Portal, deal: DealRow): SafeHtml {
  const found = portal.findStage(text(deal.STAGE_ID));
  if (!found) return html`<code>${text(deal.STAGE_ID)}</code>`;
  const semantics = found.stage.semantics;
  const css = semantics === 'S' ? 'won' : semantics === 'F' ? 'lost' : '';
  return html`<span class="${css}">${found.stage.name}</span> <code>${found.stage.statusId}</code>`;
}

function comments(portal: Portal, dealId: unknown): SafeHtml {
  const list = [...portal.comments.values()].filter((c) => c.ENTITY_ID === text(dealId));
  if (list.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="comments">
    ${list.map(
      (c) =>
        html`<li>
          <span class="muted">${text(c.CREATED)}</span> <span class="pre">${text(c.COMMENT)}</span>
        </li>`,
    )}
  </ul>`;
}

function userFields(deal: DealRow): SafeHtml[] {
  return Object.entries(deal)
    .filter(([key, value]) => key.startsWith('UF_CRM_') && text(value) !== '')
    .map(([key, value]) => html`<div><code>${key}</code> ${text(value)}</div>`);
}

function indexPage(state: EmulatorState): string {
  const rows = [...state.portals.values()].map((p) => [
    link(portalPath(p), p.name),
    state.portalDomain(p),
    p.memberId,
    p.deals.size,
    p.comments.size,
  ]);
  return renderPage({
    emulator: EMULATOR,
    title: 'Portals',
    body: table(['Portal', 'Domain', 'member_id', 'Deals', 'Timeline comments'], rows),
  });
}

function dealsPage(state: EmulatorState, portal: Portal): string {
  const rows = [...portal.deals.values()].map((d) => [
    link(dealPath(portal, d.ID), d.ID),
    text(d.TITLE),
    pipeline(portal, d),
    stage(portal, d),
    `${text(d.OPPORTUNITY)} ${text(d.CURRENCY_ID)}`,
    text(d.ORIGIN_ID),
    userFields(d),
    comments(portal, d.ID),
  ]);
  const headers = ['ID', 'Title', 'Pipeline', 'Stage', 'Amount', 'ORIGIN_ID', 'User fields'];
  return renderPage({
    emulator: EMULATOR,
    title: `Deals of portal ${portal.name}`,
    body: html`<p class="muted">
        Domain <code>${state.portalDomain(portal)}</code>, REST
        <code>${state.portalBaseUrl(portal)}/rest/</code>
      </p>
      ${table([...headers, 'Timeline comments'], rows, 'No deals yet.')}`,
  });
}

/** The manager's move: a real form, so the deal changes as if a person dragged it. */
function moveForm(portal: Portal, deal: DealRow): SafeHtml {
  const category = portal.categories.get(Number(deal.CATEGORY_ID));
  const options = (category?.stages ?? []).map(
    (s) =>
      html`<option value="${s.statusId}" ${s.statusId === text(deal.STAGE_ID) ? 'selected' : ''}>
        ${s.name}
      </option>`,
  );
  return html`<form method="post" action="${dealPath(portal, deal.ID)}/move">
    <select name="stageId">
      ${options}
    </select>
    <button type="submit">Move deal to stage</button>
  </form>`;
}

function dealPage(portal: Portal, deal: DealRow): string {
  const fields = Object.entries(deal).map(([key, value]) => [
    html`<code>${key}</code>`,
    text(value),
  ]);
  return renderPage({
    emulator: EMULATOR,
    title: `Deal ${text(deal.ID)}: ${text(deal.TITLE)}`,
    body: html`<p>${link(portalPath(portal), `All deals of ${portal.name}`)}</p>
      <p>
        Pipeline ${pipeline(portal, deal)}, stage ${stage(portal, deal)}, ${text(deal.OPPORTUNITY)}
        ${text(deal.CURRENCY_ID)}
      </p>
      ${moveForm(portal, deal)}
      <h2>Timeline comments</h2>
      ${comments(portal, deal.ID)}
      <h2>Fields (as crm.deal.get returns them)</h2>
      ${table(['Field', 'Value'], fields)}`,
  });
}

function notFound(what: string): string {
  return renderPage({ emulator: EMULATOR, title: 'Not found', body: html`<p>${what}</p>` });
}

/** `GET /_emulator/ui[/portals/<name>[/deals/<id>]]`. */
export function handlePage(
  state: EmulatorState,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendPage(res, 405, notFound('Pages are read-only.'));
    return;
  }
  const rest = path.slice(PAGES_PATH.length).replace(/\/+$/, '');
  if (rest === '') return sendPage(res, 200, indexPage(state));
  const match = /^\/portals\/([^/]+)(?:\/deals\/(\d+))?$/.exec(rest);
  const portal = match ? state.portals.get(match[1]) : undefined;
  if (!match || !portal) return sendPage(res, 404, notFound('No such page or portal.'));
  if (match[2] === undefined) return sendPage(res, 200, dealsPage(state, portal));
  const deal = portal.deals.get(Number(match[2]));
  if (!deal) return sendPage(res, 404, notFound(`No deal ${match[2]} on portal ${portal.name}.`));
  sendPage(res, 200, dealPage(portal, deal));
}

/** `GET <portal>/crm/deal/details/<id>/`, where Bitrix24 opens a deal (the hub's deal links). */
export function handleDealDetails(portal: Portal, id: string, res: ServerResponse): void {
  const deal = portal.deals.get(Number(id));
  if (!deal) return sendPage(res, 404, notFound(`No deal ${id} on portal ${portal.name}.`));
  sendPage(res, 200, dealPage(portal, deal));
}

/** A portal root asked for by a browser: where the pages are. */
export function landingPage(state: EmulatorState, portal: Portal): string {
  return renderPage({
    emulator: EMULATOR,
    title: `Portal ${portal.name}`,
    refreshSeconds: 0,
    body: html`<ul>
        <li>${link(portalPath(portal), `Deals of portal ${portal.name}`)}</li>
        <li>${link(PAGES_PATH, 'All portals')}</li>
      </ul>
      <p class="muted">
        REST: <code>${state.portalBaseUrl(portal)}/rest/</code>; this root answers JSON to API
        clients.
      </p>`,
  });
}
