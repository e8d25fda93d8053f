/**
 * A small XML writer for the GeoReport v2 documents: elements and text only (the spec's XML has no
 * attributes or namespaces). JSON values map to XML by the Spark convention the spec names: an
 * array becomes repeated children named by the singular of its key.
 */
export type XmlValue = string | number | boolean | null | undefined | XmlRecord | XmlValue[];
export interface XmlRecord {
  [name: string]: XmlValue;
}

/** XML 1.0 cannot carry C0 controls (but tab, LF, CR), lone surrogates or U+FFFE/FFFF, even escaped. */
const isXmlCharacter = (codePoint: number): boolean =>
  codePoint === 0x9 ||
  codePoint === 0xa ||
  codePoint === 0xd ||
  (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
  (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
  codePoint >= 0x10000;

const withoutNonXmlCharacters = (text: string): string => {
  let kept = '';
  for (const character of text) {
    if (isXmlCharacter(character.codePointAt(0) ?? 0)) kept += character;
  }
  return kept;
};

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export const escapeXml = (text: string): string =>
  withoutNonXmlCharacters(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

/** The element names of the spec's lists: `services` holds `service`, `service_requests` holds `request`… */
const CHILD_NAMES: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  attributes: 'attribute',
  values: 'value',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
};

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const childNameOf = (listName: string): string => {
  const child = CHILD_NAMES[listName];
  if (!child) throw new Error(`no XML element name for the items of "${listName}"`);
  return child;
};

const element = (name: string, value: XmlValue): string => {
  if (!NAME.test(name)) throw new Error(`"${name}" is not an XML element name`);
  if (value === null || value === undefined || value === '') return `<${name}/>`;
  if (Array.isArray(value)) {
    const child = childNameOf(name);
    return `<${name}>${value.map((item) => element(child, item)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    const children = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([key, v]) => element(key, v));
    return `<${name}>${children.join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
};

/** A whole document: the declaration the spec requires, then the root element. */
export const xmlDocument = (rootName: string, value: XmlValue): string =>
  `<?xml version="1.0" encoding="utf-8"?>\n${element(rootName, value)}`;
