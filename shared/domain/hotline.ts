import type { DistrictConfig } from '../district/schema';
import type { DistrictIndex } from './district-index';
import { InvalidInputError } from './errors';
import type { ReportInput } from './report';
import { HOTLINE_SYSTEM } from './subscriptions';

/**
 * The 12345 hotline's ticket (工单) as its platform sends it, and how it becomes a report: its
 * category text through the district's table (unmapped text goes to the triage classifier), its
 * address through the district's gazetteer when the ticket has no coordinates.
 */
export interface HotlineTicket {
  ticketNo: string;
  caller?: { name?: string; phone?: string };
  content: string;
  address: string;
  categoryText?: string;
  /** When the call came in (ISO 8601). */
  receivedAt: string;
  lat?: number;
  lng?: number;
  crs?: 'wgs84' | 'gcj02';
}

export interface TicketMapping {
  /** `table`: the district's hotline table named our category; `triage`: the classifier decides. */
  category: 'table' | 'triage';
  /** `coordinates` from the ticket; `gazetteer`: the place its address names. */
  location: 'coordinates' | 'gazetteer';
  place?: string;
}

/** Our category for the platform's text: exact (trimmed) match, else the longest mapped prefix. */
export const mapHotlineCategory = (
  district: Pick<DistrictConfig, 'hotline'>,
  text: string | undefined,
): string | undefined => {
  const wanted = text?.trim();
  if (!wanted) return undefined;
  const table = district.hotline.categories;
  if (table[wanted]) return table[wanted];
  // "城市管理/市容环境/占道经营/流动摊贩" is still street vending: the longest mapped parent wins.
  let best: { length: number; code: string } | undefined;
  for (const [key, code] of Object.entries(table)) {
    if (wanted.startsWith(`${key}/`) && (!best || key.length > best.length)) {
      best = { length: key.length, code };
    }
  }
  return best?.code;
};

/** The gazetteer place the address names (the longest name or alias it contains), if any. */
export const placeOf = (
  district: Pick<DistrictConfig, 'hotline'>,
  address: string,
): { name: string; lat: number; lng: number } | undefined => {
  let best: { length: number; place: { name: string; lat: number; lng: number } } | undefined;
  for (const place of district.hotline.places) {
    for (const name of [place.name, ...place.aliases]) {
      if (address.includes(name) && (!best || name.length > best.length)) {
        best = { length: name.length, place: { name: place.name, lat: place.lat, lng: place.lng } };
      }
    }
  }
  return best?.place;
};

/**
 * The ticket as a report of the `hotline` source, with the ticket number as its external ref (the
 * same ticket twice is the same case). A ticket with neither coordinates nor a known place is
 * refused naming `address`: the platform keeps it and can resend it with a point.
 */
export const reportInputOfTicket = (
  district: DistrictIndex,
  ticket: HotlineTicket,
): { input: ReportInput; mapping: TicketMapping } => {
  const category = mapHotlineCategory(district.config, ticket.categoryText);
  let location: ReportInput['location'];
  let mapping: TicketMapping;
  const categoryMapping = category ? 'table' : 'triage';
  if (ticket.lat !== undefined && ticket.lng !== undefined) {
    location = { lat: ticket.lat, lng: ticket.lng, crs: ticket.crs ?? 'wgs84', address: ticket.address };
    mapping = { category: categoryMapping, location: 'coordinates' };
  } else {
    const place = placeOf(district.config, ticket.address);
    if (!place) {
      throw new InvalidInputError(
        'address',
        'unknown_place',
        `no place of the district's gazetteer in "${ticket.address}": send lat and lng with the ticket`,
      );
    }
    location = { lat: place.lat, lng: place.lng, crs: 'wgs84', address: ticket.address };
    mapping = { category: categoryMapping, location: 'gazetteer', place: place.name };
  }
  // The platform's category text travels in the description: the classifier reads it too.
  const description = ticket.categoryText?.trim()
    ? `【12345 ${ticket.categoryText.trim()}】${ticket.content}`
    : ticket.content;
  const reporter = ticket.caller && (ticket.caller.name || ticket.caller.phone) ? ticket.caller : undefined;
  return {
    input: {
      source: 'hotline',
      ...(category && { category }),
      description: description.slice(0, 2000),
      location,
      occurredAt: ticket.receivedAt,
      ...(reporter && {
        reporter: {
          ...(reporter.name && { name: reporter.name }),
          ...(reporter.phone && { phone: reporter.phone }),
        },
      }),
      externalRef: { system: HOTLINE_SYSTEM, id: ticket.ticketNo },
    },
    mapping,
  };
};
