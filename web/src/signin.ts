/**
 * The sign-in screen both pages share. Locally it lists the demo users of the roles the page is
 * for; with an OIDC provider configured it shows the provider's button (not wired yet).
 */
import type { Role } from '../../shared/domain/case';
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
  const existing = auth.current();
  if (existing && roles.includes(existing.role)) return existing;

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
      box.append(h('h2', {}, t('signInTitle')), h('p', { class: 'muted' }, t('signInHint')));
      if (auth.kind === 'oidc') {
        box.append(h('button', { class: 'btn primary', disabled: true }, t('signInOidc')));
        box.append(h('p', { class: 'muted' }, t('signInUnavailable')));
        return;
      }
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
