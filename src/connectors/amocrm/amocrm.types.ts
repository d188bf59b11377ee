export interface AmoFieldValues {
  field_id: number;
  values: Array<{ value?: unknown; enum_id?: number }>;
}

export interface AmoLead {
  id: number;
  name?: string;
  price: number | null;
  status_id: number;
  pipeline_id: number;
  custom_fields_values: AmoFieldValues[] | null;
}

export interface AmoNote {
  id: number;
  entity_id: number;
  note_type: string;
  params?: { text?: string };
}

export interface AmoStatus {
  id: number;
  name: string;
  type: number;
}

export interface AmoPipeline {
  id: number;
  name: string;
  is_archive?: boolean;
  _embedded?: { statuses?: AmoStatus[] };
}

export interface AmoCustomField {
  id: number;
  name: string;
  type: string;
}

export interface AmoList<K extends string, T> {
  _links?: { next?: { href: string } };
  _embedded?: Partial<Record<K, T[]>>;
}

export interface AmoSaved {
  _embedded?: { leads?: Array<{ id: number; request_id?: string }> };
}
