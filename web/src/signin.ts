/**
 * The sign-in screen both pages share. Locally it lists the demo users of the roles the page is
 * for; with an OIDC provider configured it shows the provider's button, finishes the provider's
 * redirect back, and shows what went wrong (the provider's `?error=`, a state or nonce mismatch).
 */
import type { Role } from '../../shared/domain/case';
import { ApiError } from './api';
import type { AuthProvider, SignedInUser } from './auth';
import { h } from './dom';
import { t, tOf } from './i18n';
import { type DistrictNames, languageSwitch } from './names';

export const signIn = async (
  root: HTMLElement,
  auth: AuthProvider,
  roles: readonly Role[],
  names: DistrictNames | undefined,
  title: string,
): Promise<SignedInUser> => {
  let problem: string | undefined;
  if (auth.completeRedirect) {
    try {
      await auth.completeRedirect();
    } catch (error) {
      problem = t('signInFailed', { detail: (error as Error).message });
    }
  }
  const existing = auth.current();
  if (existing && roles.includes(existing.role)) return existing;
  if (existing && auth.kind === 'oidc') problem = t('signInWrongRole', { role: tOf('role', existing.role) });

  return new Promise((resolve) => {
    const render = async () => {
      const box = h('section', { class: 'signin-box' });
      root.replaceChildren(
        h(
          'main',
          { class: 'signin' },
          h(
            'header',
            { class: 'signin-head' },
            h('h1', {}, title),
            languageSwitch(() => void render()),
          ),
          box,
        ),
      );
      if (auth.kind === 'oidc') {
        const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'signin-error' }, problem ?? '');
        if (!problem) error.hidden = true;
        const start = h(
          'button',
          {
            class: 'btn primary',
            'data-testid': 'signin-oidc',
            onclick: () => {
              start.disabled = true;
              auth.startRedirect?.().catch((failure: unknown) => {
                start.disabled = false;
                error.textContent = t('signInFailed', { detail: (failure as Error).message });
                error.hidden = false;
              });
            },
          },
          t('signInOidc'),
        );
        box.append(
          h('h2', {}, t('signInOidcTitle')),
          h('p', { class: 'muted' }, t('signInOidcHint')),
          error,
          start,
        );
        // Signed in with a role this page is not for: offer to sign out (and pick another account).
        if (existing) {
          box.append(
            h(
              'button',
              { class: 'btn ghost', 'data-testid': 'signin-leave', onclick: () => void auth.leave() },
              t('signOut'),
            ),
          );
        }
        return;
      }
      box.append(h('h2', {}, t('signInTitle')), h('p', { class: 'muted' }, t('signInHint')));
      let users: SignedInUser[];
      try {
        users = (await auth.candidates()).filter((u) => roles.includes(u.role));
      } catch (error) {
        box.append(h('p', { class: 'error' }, t('failed', { detail: (error as Error).message })));
        return;
      }
      for (const role of roles) {
        const group = users.filter((u) => u.role === role);
        if (group.length === 0) continue;
        box.append(
          h('h3', {}, tOf('role', role)),
          h(
            'div',
            { class: 'signin-users' },
            group.map((user) =>
              h(
                'button',
                {
                  class: 'btn user',
                  'data-sub': user.sub,
                  onclick: () => {
                    auth.signIn(user);
                    resolve(user);
                  },
                },
                h('strong', {}, user.name),
                h(
                  'span',
                  { class: 'muted' },
                  names?.zone(user.zone) || names?.department(user.department) || tOf('role', user.role),
                ),
              ),
            ),
          ),
        );
      }
    };
    void render();
  });
};

/**
 * A request answered 401: the session ended (expired, or signed out elsewhere). Signs out and
 * reloads, so the page starts again at the sign-in; true when it did.
 */
export const signOutIfExpired = (auth: AuthProvider, error: unknown): boolean => {
  if (!(error instanceof ApiError && error.status === 401)) return false;
  auth.signOut();
  location.reload();
  return true;
};

/** A page that could not start says why, on the page and in the console. */
export const showFatal = (error: unknown): void => {
  console.error(error);
  document.body.append(h('p', { class: 'fatal' }, t('failed', { detail: (error as Error).message })));
};
