/* The CRM side of the end-to-end benches: connections added through the admin API, effects read back. */
import { generateKeyPairSync } from 'node:crypto';
import type { AmocrmEmulator } from '../../sandbox/amocrm/amocrm-emulator';
import { WON_STATUS_ID } from '../../sandbox/amocrm/amocrm-emulator';
import type { Bitrix24Emulator } from '../../sandbox/bitrix24/emulator-types';
import type { GoogleEmulator } from '../../sandbox/google/google-types';
import type { Pipeline } from './pipeline';

const PORTAL = { portal: 'bench' };
const SHEET = 'Orders';

/** More than one of something per key: how many keys. */
function repeated(keys: unknown[]): number {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(String(k), (counts.get(String(k)) ?? 0) + 1);
  return [...counts.values()].filter((n) => n > 1).length;
}

/** An incoming-webhook connection to the emulator's `bench` portal, checked by the hub. */
export function addBitrix24(p: Pipeline, b24: Bitrix24Emulator, settings: object = {}) {
  return p.addConnection({
    type: 'bitrix24',
    mode: 'webhook',
    displayName: 'bench portal',
    credentials: { webhookUrl: b24.portal('bench').webhooks[0].url },
    settings,
  });
}

/** A deal carrying the order id in ORIGIN_ID; returns its id. */
export function bitrix24Deal(b24: Bitrix24Emulator, orderId: string): number {
  const deal = b24.createDeal(
    { TITLE: `Order ${orderId}`, ORIGINATOR_ID: 'vpos-hub', ORIGIN_ID: orderId },
    PORTAL,
  );
  return Number(deal.ID);
}

export const bitrix24Won = (b24: Bitrix24Emulator, dealId: number) =>
  b24.getDeal(dealId, PORTAL)?.STAGE_ID === 'WON';

export function bitrix24Effects(b24: Bitrix24Emulator) {
  const deals = b24.listDeals(PORTAL);
  const comments = b24.listComments(PORTAL);
  return {
    deals: deals.length,
    won: deals.filter((d) => d.STAGE_ID === 'WON').length,
    comments: comments.length,
    doubled: repeated(comments.map((c) => c.ENTITY_ID)),
  };
}

/** A long-lived-token connection finding each order's lead by its order id field. */
export async function addAmocrm(p: Pipeline, amo: AmocrmEmulator, settings: object = {}) {
  const orderIdField = amo.createCustomField({ name: 'Order ID', type: 'text' }).id;
  const connectionId = await p.addConnection({
    type: 'amocrm',
    mode: 'token',
    displayName: 'bench account',
    settings: { host: amo.host, orderIdField, ...settings },
    credentials: { token: amo.issueLongLivedToken() },
  });
  return {
    connectionId,
    /** A lead carrying the order id in its field; returns its id. */
    lead: (orderId: string) =>
      amo.createLead({
        name: `Order ${orderId}`,
        custom_fields_values: [{ field_id: orderIdField, values: [{ value: orderId }] }],
      }).id,
    won: (leadId: number) => amo.getLead(leadId)?.status_id === WON_STATUS_ID,
    effects: () => {
      const leads = amo.listLeads();
      const notes = amo.listNotes();
      return {
        leads: leads.length,
        won: leads.filter((l) => l.status_id === WON_STATUS_ID).length,
        notes: notes.length,
        doubled: repeated(notes.map((n) => n.entity_id)),
      };
    },
  };
}

/** A service-account connection to a fresh spreadsheet shared with it (header row written). */
export async function addSheets(p: Pipeline, google: GoogleEmulator, settings: object = {}) {
  const email = 'bench-writer@bench.iam.gserviceaccount.com';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  google.registerServiceAccount({
    clientEmail: email,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  const { spreadsheetId } = google.createSpreadsheet({
    title: 'Bench payments',
    sheets: [{ title: SHEET }],
    sharedWith: [email],
  });
  await p.addConnection({
    type: 'google-sheets',
    mode: 'service_account',
    displayName: 'bench sheet',
    credentials: {
      serviceAccountKey: {
        client_email: email,
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    },
    settings: { spreadsheetId, sheetName: SHEET, language: 'en', ...settings },
  });
  return {
    /** The order id of every data row. */
    rowOrders: () =>
      google
        .readCells(spreadsheetId, `'${SHEET}'`)
        .slice(1)
        .map((r) => String(r[0])),
    repeated,
  };
}
