/**
 * 随手拍, the residents' page (phone first, Chinese by default): report a problem with a pin on
 * the map (or the phone's position), a photo and a short description — no category: intake sends a
 * report without one to triage, which picks it or leaves it to the command centre — then follow
 * one's own reports: status, the department handling each, the published result, and on a closed
 * case the verdict (满意 / 基本满意 / 不满意, an optional comment).
 *
 * A report goes through the same outbox as the field page's (web/src/outbox): its Idempotency-Key
 * is made here, so a flaky connection never makes two cases of one report.
 */
import { type Api, type CaseView, createApi, type DistrictConfig, NetworkError } from '../api';
import { authProvider } from '../auth';
import { byId, h } from '../dom';
import { formatDateTime, labelled, lang, setLang, setTimeZone, t, tOf } from '../i18n';
import { startPolling } from '../live';
import { type DistrictNames, districtNames, languageSwitch } from '../names';
import { keepShellOffline } from '../offline-shell';
import { readSnapshot, writeSnapshot } from '../outbox/db';
import { createOutbox } from '../outbox/outbox';
import { outboxPanel } from '../outbox/panel';
import { newReportKey, photoPicker, placePicker } from '../report/report-parts';
import { loadRuntimeConfig } from '../runtime-config';
import { showFatal, signIn, signOutIfExpired } from '../signin';
import { verdictBlock } from './verdict';
import '../styles/base.css';
import '../styles/field.css';
import '../styles/report.css';

const DESCRIPTION_MAX = 500;

/** The published result: what the handling department wrote when it resolved the case, last time. */
const resultOf = (c: CaseView): string | undefined =>
  [...c.timeline].reverse().find((entry) => entry.action === 'resolved')?.note;

/**
 * One of the resident's reports. A report merged into another resident's case (the same problem,
 * reported twice) is answered by that case: its progress, department and result are shown, and the
 * verdict is given on it for this report.
 */
const reportCard = (
  c: CaseView,
  handledIn: CaseView | undefined,
  names: DistrictNames,
  api: Api,
  onChanged: () => void,
) => {
  const handling = c.status === 'merged' ? handledIn : c;
  const department = handling ? (handling.assignee ?? handling.lead) : undefined;
  const result = handling ? resultOf(handling) : undefined;
  const status = handling?.status ?? c.status;
  return h(
    'li',
    { class: 'citizen-case task-card', 'data-case-id': c.id, 'data-status': c.status },
    h(
      'div',
      { class: 'citizen-case-body' },
      h(
        'div',
        { class: 'task-head' },
        h('strong', {}, names.category(c.category) || t('citizenCategoryPending')),
        h(
          'span',
          { class: `tag status-${status}`, 'data-testid': 'citizen-status' },
          tOf('citizenStatus', status),
        ),
      ),
      h('p', { class: 'description' }, c.description),
      h('div', { class: 'muted' }, labelled(t('citizenReportedAt'), formatDateTime(c.reportedAt))),
      c.status === 'merged'
        ? h('div', { class: 'muted', 'data-testid': 'citizen-merged' }, t('citizenMerged'))
        : null,
      handling
        ? h(
            'div',
            { class: 'muted', 'data-testid': 'citizen-department' },
            labelled(
              t('citizenDepartment'),
              department ? names.department(department) : t('citizenPendingDepartment'),
            ),
          )
        : null,
      result
        ? h(
            'div',
            { class: 'citizen-result', 'data-testid': 'citizen-result' },
            h('span', { class: 'muted' }, t('citizenResult')),
            h('p', {}, result),
          )
        : null,
      handling?.status === 'closed' ? verdictBlock(c.id, handling, api, onChanged) : null,
    ),
  );
};

const main = async () => {
  const root = byId('app');
  setLang(lang());
  const config = await loadRuntimeConfig();
  const auth = authProvider(config);
  const user = await signIn(root, auth, ['reporter'], undefined, t('citizenTitle'));
  const api = createApi(config.apiBaseUrl, () => auth.current()?.token);
  void keepShellOffline();
  const district = await api.district().then(
    async (read) => {
      await writeSnapshot('district', read);
      return read;
    },
    async (error: unknown) => {
      const kept = error instanceof NetworkError ? await readSnapshot<DistrictConfig>('district') : undefined;
      if (!kept) throw error;
      return kept;
    },
  );
  setTimeZone(district.timezone);
  const names = districtNames(district);

  const notice = h('div', { class: 'notice', role: 'status', 'data-testid': 'citizen-notice' });
  const say = (text: string, kind: 'ok' | 'error' = 'ok') => {
    notice.textContent = text;
    notice.className = `notice ${kind}`;
  };
  const body = h('main', { class: 'field-body' });
  let mine: CaseView[] | undefined;
  /** The cases that handle the reports merged into them, by id. */
  let handledIn = new Map<string, CaseView>();
  const outbox = createOutbox(api, user.sub, {
    changed: (entries) => {
      panel.show(entries);
      document.body.dataset.outbox = String(entries.length);
    },
    reportSent: (_entry, c) => {
      say(t('citizenSent'));
      document.body.dataset.lastReport = c.id;
      poller?.now();
    },
    signedOut: () => say(t('signInFailed', { detail: '401' }), 'error'),
  });
  const panel = outboxPanel(outbox);
  let place: ReturnType<typeof placePicker> | undefined;

  const reportForm = () => {
    place?.dispose();
    place = placePicker(district, { locateLabel: t('citizenUseMyPosition'), hint: t('citizenPinHint') });
    const picked = place;
    const photo = photoPicker({ label: t('citizenAddPhoto'), multiple: false, max: 3 });
    const description = h('textarea', {
      name: 'description',
      rows: 3,
      required: true,
      maxlength: DESCRIPTION_MAX,
      placeholder: t('citizenDescriptionPlaceholder'),
      'data-testid': 'citizen-description',
    });
    const message = h('p', { class: 'action-message', role: 'status' });
    const submit = h(
      'button',
      { class: 'btn primary', type: 'submit', 'data-testid': 'citizen-submit' },
      t('citizenSubmit'),
    );
    const form = h(
      'form',
      { class: 'citizen-form', 'data-testid': 'citizen-form' },
      h('label', { class: 'field' }, h('span', {}, t('citizenDescription'), ' *'), description),
      h('div', { class: 'field' }, h('span', {}, t('citizenPhoto')), photo.element),
      h('div', { class: 'field' }, h('span', {}, t('citizenPlace'), ' *'), picked.element),
      h('p', { class: 'muted small' }, t('citizenPrivacy')),
      message,
      submit,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const at = picked.pin();
      const text = description.value.trim();
      if (!at || text.length < 2) {
        message.textContent = t('citizenMissing');
        message.className = 'action-message error';
        return;
      }
      submit.disabled = true;
      const key = newReportKey('citizen');
      outbox
        .add(
          {
            label: text.slice(0, 24),
            item: {
              kind: 'report',
              key,
              body: {
                source: 'citizen',
                description: text,
                location: { lat: at.lat, lng: at.lng, crs: 'wgs84' },
              },
            },
          },
          ...photo.files().map((file) => ({
            label: file.name,
            item: {
              kind: 'photo' as const,
              reportKey: key,
              blob: file,
              name: file.name,
              lastModified: file.lastModified,
            },
          })),
        )
        .then(() => {
          say(navigator.onLine ? t('outboxSending') : t('patrolQueued'));
          location.hash = '#mine';
        })
        .catch((error: unknown) => {
          submit.disabled = false;
          message.textContent = t('failed', { detail: (error as Error).message });
          message.className = 'action-message error';
        });
    });
    return form;
  };

  const renderMine = () => {
    body.replaceChildren(
      mine === undefined
        ? h('p', { class: 'muted' }, t('loading'))
        : mine.length === 0
          ? h('p', { class: 'muted empty' }, t('citizenNone'))
          : h(
              'ul',
              { class: 'tasks', 'data-testid': 'my-reports' },
              mine.map((c) =>
                reportCard(c, c.mergedInto ? handledIn.get(c.mergedInto) : undefined, names, api, () =>
                  poller?.now(),
                ),
              ),
            ),
    );
  };

  const tab = () => (location.hash === '#mine' ? 'mine' : 'new');
  const tabs = h('nav', { class: 'citizen-tabs' });
  const route = () => {
    tabs.replaceChildren(
      h(
        'a',
        { href: '#new', class: tab() === 'new' ? 'on' : '', 'data-testid': 'tab-new' },
        t('citizenTabReport'),
      ),
      h(
        'a',
        { href: '#mine', class: tab() === 'mine' ? 'on' : '', 'data-testid': 'tab-mine' },
        t('citizenTabMine'),
      ),
    );
    if (tab() === 'mine') {
      place?.dispose();
      place = undefined;
      renderMine();
    } else if (!body.querySelector('.citizen-form')) body.replaceChildren(reportForm());
  };

  const mount = () => {
    root.replaceChildren(
      h(
        'div',
        { class: 'field' },
        h(
          'header',
          { class: 'field-top' },
          h('div', {}, h('h1', {}, t('citizenTitle')), h('div', { class: 'muted who' }, names.district())),
          h(
            'div',
            { class: 'field-top-buttons' },
            languageSwitch(() => {
              body.replaceChildren();
              mount();
              route();
            }),
            h('button', { class: 'btn ghost', onclick: () => void auth.leave() }, t('signOut')),
          ),
        ),
        tabs,
        h('div', { class: 'field-outbox' }, notice, panel.element),
        body,
      ),
    );
  };

  let poller: ReturnType<typeof startPolling> | undefined;
  mount();
  addEventListener('hashchange', route);
  route();
  void outbox.flush();

  // One's own reports, newest first; a verdict form being filled in is left alone.
  poller = startPolling(
    async () => {
      const read = await api.listAll({}, { maxPages: 5 });
      mine = read.items.sort((a, b) => b.reportedAt.localeCompare(a.reportedAt));
      // A merged report is answered by the case it went into, which its reporter may read.
      const into = [
        ...new Set(mine.flatMap((c) => (c.status === 'merged' && c.mergedInto ? [c.mergedInto] : []))),
      ];
      const followed = await Promise.all(into.map((id) => api.get(id).catch(() => handledIn.get(id))));
      handledIn = new Map(followed.flatMap((c) => (c ? [[c.id, c] as const] : [])));
      const typing = body.querySelector('.verdict-form textarea:focus, .verdict-form .on');
      if (tab() === 'mine' && !typing) renderMine();
      document.body.dataset.updatedAt = new Date().toISOString();
    },
    Math.max(config.refreshMs, 3_000),
    (error) => void signOutIfExpired(auth, error),
  );
};

main().catch(showFatal);
