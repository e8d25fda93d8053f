import type { GeoPoint } from '../../../shared/domain/case';

/**
 * The worker's position for the task distances. Polite: the page asks (and the browser prompts)
 * only after a tap, unless the permission was granted before, when no prompt appears.
 */
export type PositionState =
  /** Not asked yet: the page offers a button. */
  | { kind: 'idle' }
  | { kind: 'locating' }
  | { kind: 'located'; at: GeoPoint; accuracyMetres: number }
  | { kind: 'denied' }
  /** No geolocation here (an old browser, plain http) or no fix yet (indoors, timeout). */
  | { kind: 'unavailable' };

export interface PositionWatch {
  state(): PositionState;
  /** Starts watching (from a tap: this is when the browser may prompt). */
  start(): void;
  stop(): void;
}

/** The parts of the browser's Geolocation and Permissions this page uses (fakes in tests). */
interface Fix {
  coords: { latitude: number; longitude: number; accuracy: number };
}
interface FixError {
  code: number;
  PERMISSION_DENIED: number;
}
export interface GeolocationLike {
  watchPosition(
    onFix: (fix: Fix) => void,
    onError: (error: FixError) => void,
    options: { enableHighAccuracy: boolean; maximumAge: number; timeout: number },
  ): number;
  clearWatch(id: number): void;
}
export interface PermissionsLike {
  query(descriptor: { name: 'geolocation' }): Promise<{
    readonly state: 'granted' | 'denied' | 'prompt';
    addEventListener(type: 'change', listener: () => void): void;
  }>;
}

export interface PositionSources {
  geolocation?: GeolocationLike;
  permissions?: PermissionsLike;
  /** Browsers offer geolocation to https pages (and localhost) only. */
  secure: boolean;
}

const page = globalThis as {
  navigator?: { geolocation?: GeolocationLike; permissions?: PermissionsLike };
  isSecureContext?: boolean;
};

const browserSources = (): PositionSources => ({
  geolocation: page.navigator?.geolocation,
  permissions: page.navigator?.permissions,
  secure: page.isSecureContext === true,
});

export const watchPosition = (
  onChange: (state: PositionState) => void,
  sources: PositionSources = browserSources(),
): PositionWatch => {
  const { geolocation, permissions } = sources;
  const usable = geolocation !== undefined && sources.secure;
  let state: PositionState = { kind: usable ? 'idle' : 'unavailable' };
  let watchId: number | undefined;
  const set = (next: PositionState) => {
    state = next;
    onChange(next);
  };
  const stop = () => {
    if (watchId !== undefined) geolocation?.clearWatch(watchId);
    watchId = undefined;
  };
  const start = () => {
    if (!usable || !geolocation || watchId !== undefined) return;
    if (state.kind !== 'located') set({ kind: 'locating' });
    watchId = geolocation.watchPosition(
      (fix) =>
        set({
          kind: 'located',
          at: { lat: fix.coords.latitude, lng: fix.coords.longitude },
          accuracyMetres: fix.coords.accuracy,
        }),
      (error) => {
        if (error.code === error.PERMISSION_DENIED) {
          stop();
          set({ kind: 'denied' });
        } else if (state.kind !== 'located') set({ kind: 'unavailable' });
        // Otherwise keep the last fix: the watch goes on and the next one replaces it.
      },
      { enableHighAccuracy: true, maximumAge: 30_000, timeout: 20_000 },
    );
  };
  if (usable && permissions) {
    permissions
      .query({ name: 'geolocation' })
      .then((status) => {
        const follow = () => {
          if (status.state === 'granted') start();
          else if (status.state === 'denied') {
            stop();
            set({ kind: 'denied' });
          } else if (state.kind === 'denied') set({ kind: 'idle' });
        };
        follow();
        // Granted or revoked in the browser's settings while the page is open.
        status.addEventListener('change', follow);
      })
      .catch(() => undefined);
  }
  return { state: () => state, start, stop };
};
