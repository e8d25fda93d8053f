/**
 * The parts both report forms share (the patrol officer's and the citizen's): the place (phone
 * position with its accuracy, a pin to move when GPS is poor), the photos picked before sending,
 * and the key that makes the report idempotent, made on the phone.
 */
import type { DistrictConfig } from '../../../shared/district/schema';
import { h } from '../dom';
import { type PositionState, watchPosition } from '../field/position';
import { t } from '../i18n';
import { randomToken } from '../random-token';
import { createPinMap, type PinMap } from './pin-map';

/** Past this the fix is called poor and the user is asked to check the pin. */
export const POOR_ACCURACY_METRES = 50;

/** The report's Idempotency-Key: made once per report on the phone, kept with it in the outbox. */
export const newReportKey = (prefix: 'patrol' | 'citizen') => `${prefix}-${randomToken(18)}`;

export interface PlacePicker {
  element: HTMLElement;
  pin(): { lat: number; lng: number } | undefined;
  /** Starts the phone's position (from a tap, or at once where the user came here to report). */
  locate(): void;
  dispose(): void;
}

export const placePicker = (
  district: DistrictConfig,
  options: { locateLabel: string; hint: string },
): PlacePicker => {
  const status = h('div', { class: 'place-status muted', role: 'status', 'data-testid': 'place-status' });
  const mapElement = h('div', { class: 'pin-map-frame', 'data-testid': 'pin-map' });
  let position: PositionState = { kind: 'idle' };
  const say = () => {
    const pin = map?.pin();
    if (pin?.source === 'manual') {
      status.textContent = t('patrolPinManual');
      status.dataset.accuracy = 'manual';
      return;
    }
    switch (position.kind) {
      case 'located': {
        const metres = Math.round(position.accuracyMetres);
        const poor = metres > POOR_ACCURACY_METRES;
        status.textContent = `${t('patrolAccuracy', { m: metres })}${poor ? ` · ${t('patrolAccuracyPoor')}` : ''}`;
        status.dataset.accuracy = poor ? 'poor' : 'good';
        status.dataset.metres = String(metres);
        return;
      }
      case 'locating':
        status.textContent = t('fieldLocating');
        return;
      case 'denied':
        status.textContent = `${t('fieldLocationDenied')} · ${options.hint}`;
        return;
      case 'unavailable':
        status.textContent = `${t('fieldLocationUnavailable')} · ${options.hint}`;
        return;
      case 'idle':
        status.textContent = options.hint;
    }
  };
  let map: PinMap | undefined;
  const watch = watchPosition((next) => {
    position = next;
    if (next.kind === 'located') map?.follow(next.at, next.accuracyMetres);
    say();
  });
  const locate = h(
    'button',
    {
      class: 'btn small ghost',
      type: 'button',
      'data-testid': 'locate-me',
      onclick: () => {
        map?.release();
        if (position.kind === 'located') map?.follow(position.at, position.accuracyMetres);
        watch.start();
        say();
      },
    },
    options.locateLabel,
  );
  const element = h(
    'div',
    { class: 'place-picker' },
    mapElement,
    h('div', { class: 'place-line' }, status, locate),
  );
  // Leaflet measures its container: build the map once the element is in the page.
  requestAnimationFrame(() => {
    map = createPinMap(mapElement, district, () => say());
    if (position.kind === 'located') map.follow(position.at, position.accuracyMetres);
    say();
  });
  say();
  return {
    element,
    pin: () => map?.pin()?.at,
    locate: () => watch.start(),
    dispose() {
      watch.stop();
      map?.dispose();
    },
  };
};

export interface PhotoPicker {
  element: HTMLElement;
  files(): File[];
}

/** Photos chosen before sending, shown as thumbnails; they go into the outbox with the report. */
export const photoPicker = (options: { label: string; multiple: boolean; max: number }): PhotoPicker => {
  const chosen: { file: File; url: string }[] = [];
  const list = h('ul', { class: 'picked-photos', 'data-testid': 'picked-photos' });
  const id = `pick-${randomToken(6)}`;
  const input = h('input', {
    type: 'file',
    accept: 'image/*',
    capture: 'environment',
    multiple: options.multiple,
    class: 'photo-input',
    id,
    'data-testid': 'report-photo-input',
  });
  const render = () =>
    list.replaceChildren(
      ...chosen.map((photo, i) =>
        h(
          'li',
          {},
          h('img', { src: photo.url, alt: photo.file.name, class: 'thumb' }),
          h(
            'button',
            {
              class: 'btn small ghost',
              type: 'button',
              onclick: () => {
                URL.revokeObjectURL(photo.url);
                chosen.splice(i, 1);
                render();
              },
            },
            t('patrolRemovePhoto'),
          ),
        ),
      ),
    );
  input.addEventListener('change', () => {
    for (const file of input.files ?? []) {
      if (chosen.length >= options.max) break;
      chosen.push({ file, url: URL.createObjectURL(file) });
    }
    input.value = '';
    render();
  });
  return {
    element: h(
      'div',
      { class: 'photo-picker' },
      h('label', { class: 'btn photo-pick', for: id }, options.label),
      input,
      list,
    ),
    files: () => chosen.map((p) => p.file),
  };
};
