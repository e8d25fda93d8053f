/**
 * The video panel (视频监控) of a case: the cameras nearest it (from the API's geo index), a
 * player for the chosen one, and the camera layer of the maps. The platform only hands out stream
 * links: the browser plays HLS itself, natively where it can, else with hls.js (loaded on demand).
 */
import type { Camera } from '../../../shared/domain/camera';
import type { Api, CaseView } from '../api';
import { h } from '../dom';
import { formatNumber, t } from '../i18n';

export type NearbyCameraView = Camera & { distanceMetres: number };

/** A small camera glyph (body and lens) for the maps. */
export const CAMERA_SYMBOL = 'path://M0,2 L11,2 L11,10 L0,10 Z M11,4.5 L16,1.5 L16,10.5 L11,7.5 Z';
export const CAMERA_COLOUR = '#38bdf8';

const HLS_TYPE = 'application/vnd.apple.mpegurl';

type HlsPlayer = { destroy(): void };

const statusText = (status: Camera['status']) =>
  status === 'online'
    ? t('cameraOnline')
    : status === 'offline'
      ? t('cameraOffline')
      : t('cameraMaintenance');

/**
 * Plays an HLS link in the video element: natively when the browser says it can (Safari, recent
 * Chromium), falling back to hls.js (MSE) if native playback fails or isn't offered.
 */
const attachStream = async (video: HTMLVideoElement, url: string, onUnsupported: () => void) => {
  let player: HlsPlayer | undefined;
  const viaHlsJs = async () => {
    const { default: Hls } = await import('hls.js');
    if (!Hls.isSupported()) {
      onUnsupported();
      return;
    }
    const hls = new Hls({ lowLatencyMode: false });
    hls.loadSource(url);
    hls.attachMedia(video);
    video.dataset.player = 'hls.js';
    player = hls;
    void video.play().catch(() => undefined);
  };
  if (video.canPlayType(HLS_TYPE) !== '') {
    video.dataset.player = 'native';
    video.addEventListener('error', () => void viaHlsJs(), { once: true });
    video.src = url;
    void video.play().catch(() => undefined);
  } else {
    await viaHlsJs();
  }
  return () => {
    player?.destroy();
    video.removeAttribute('src');
    video.load();
  };
};

export interface CameraSection {
  /** Persistent across the panel's re-renders, so a playing video isn't torn down by a refresh. */
  element: HTMLElement;
  /** Loads the cameras near this case (once per case). */
  show(c: CaseView): void;
  stop(): void;
  nearby(): NearbyCameraView[];
  playing(): string | undefined;
}

export const createCameraSection = (options: {
  api: Api;
  /** After the nearby cameras loaded or the chosen one changed: redraw the maps. */
  onChange: () => void;
}): CameraSection => {
  const list = h('div', { class: 'camera-list', 'data-testid': 'camera-list' });
  const caption = h('div', { class: 'camera-caption muted' });
  const video = h('video', {
    class: 'camera-video',
    'data-testid': 'camera-video',
    muted: true,
    playsinline: true,
    controls: true,
    loop: true,
    preload: 'none',
  });
  video.muted = true;
  const player = h('div', { class: 'camera-player', hidden: true }, video, caption);
  const element = h(
    'section',
    { class: 'cameras', 'data-testid': 'case-cameras' },
    h('h3', {}, t('camerasNearby')),
    list,
    player,
  );
  let caseId: string | undefined;
  let cameras: NearbyCameraView[] = [];
  let chosen: string | undefined;
  let detach: (() => void) | undefined;

  const stopPlayer = () => {
    detach?.();
    detach = undefined;
    chosen = undefined;
    player.hidden = true;
  };

  const renderList = () => {
    list.replaceChildren(
      ...(cameras.length === 0
        ? [h('p', { class: 'muted' }, t('camerasNone'))]
        : cameras.map((camera) =>
            h(
              'button',
              {
                class: `camera-item${camera.id === chosen ? ' chosen' : ''}`,
                type: 'button',
                'data-camera-id': camera.id,
                disabled: camera.status !== 'online',
                title: camera.status === 'online' ? t('cameraPlay') : statusText(camera.status),
                onclick: () => void play(camera),
              },
              h('span', { class: 'camera-name' }, camera.name),
              h(
                'span',
                { class: 'camera-meta muted' },
                `${formatNumber(camera.distanceMetres)} m · ${statusText(camera.status)}`,
              ),
            ),
          )),
    );
  };

  const play = async (camera: NearbyCameraView) => {
    stopPlayer();
    chosen = camera.id;
    player.hidden = false;
    caption.textContent = t('cameraPlaying', { name: camera.name });
    renderList();
    options.onChange();
    // The stream link is the camera's own (absolute, or a path on this platform): played as given.
    detach = await attachStream(video, new URL(camera.streamUrl, location.href).href, () => {
      caption.textContent = t('cameraUnsupported');
    });
  };

  return {
    element,
    show(c) {
      if (c.id === caseId) return;
      stopPlayer();
      caseId = c.id;
      cameras = [];
      list.replaceChildren(h('p', { class: 'muted' }, t('loading')));
      options.api
        .camerasNear(c.id)
        .then((found) => {
          if (caseId !== c.id) return;
          cameras = found.items as NearbyCameraView[];
          renderList();
          options.onChange();
        })
        .catch((error: Error) => {
          if (caseId !== c.id) return;
          list.replaceChildren(h('p', { class: 'error' }, t('failed', { detail: error.message })));
        });
    },
    stop() {
      stopPlayer();
      caseId = undefined;
      cameras = [];
    },
    nearby: () => cameras,
    playing: () => chosen,
  };
};

/** The maps' camera layer: an icon per camera, the nearby ones of the open case brighter, the chosen one largest. */
export const cameraSeries = (all: Camera[], nearby: Camera[], chosen?: string, zlevel = 2) => {
  const near = new Set(nearby.map((c) => c.id));
  const byId = new Map([...all, ...nearby].map((c) => [c.id, c]));
  return {
    id: 'cameras',
    type: 'scatter',
    coordinateSystem: 'geo',
    symbol: CAMERA_SYMBOL,
    tooltip: { formatter: (p: { name: string }) => p.name },
    data: [...byId.values()].map((c) => ({
      name: `${t('cameraLegend')} · ${c.name}`,
      value: [c.location.lng, c.location.lat],
      symbolSize: c.id === chosen ? [22, 16] : near.has(c.id) ? [16, 12] : [11, 8],
      symbolRotate: c.direction === undefined ? 0 : 90 - c.direction,
      itemStyle: {
        color: c.id === chosen ? '#fde047' : near.has(c.id) ? CAMERA_COLOUR : 'rgba(56, 189, 248, 0.45)',
        opacity: c.status === 'online' ? 1 : 0.5,
      },
    })),
    zlevel,
  };
};
