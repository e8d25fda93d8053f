/**
 * The field page (phone): the cases dispatched to my department, accept, report progress,
 * resolve (and return, for department staff). `#case/<id>` opens one, so the phone's back works.
 */
import { type CaseView, createApi, type DistrictConfig, NetworkError } from '../api';
import { authProvider } from '../auth';
import { openFormIn, renderActions, reopenForm } from '../case-actions';
import { byId, h } from '../dom';
import { formatDateTime, formatDuration, labelled, lang, setLang, setTimeZone, t, tOf } from '../i18n';
import { startPolling } from '../live';
import { districtNames, languageSwitch } from '../names';
import { keepShellOffline } from '../offline-shell';
import { readSnapshot, writeSnapshot } from '../outbox/db';
import { createOutbox, type OutboxEntry } from '../outbox/outbox';
import { outboxPanel } from '../outbox/panel';
import { suggester } from '../report/triage-hints';
import { loadRuntimeConfig } from '../runtime-config';
import { showFatal, signIn, signOutIfExpired } from '../signin';
import { renderTimeline } from '../timeline';
import { distanceText, distanceTo, orderByDistance } from './distance';
import { FALLBACK_NAVIGATION, navigationUrl, opensInNewTab } from './navigation';
import { type PatrolForm, patrolReportForm } from './patrol-report';
import { type PositionState, watchPosition } from './position';
import { createPhotoSection, type PhotoSection } from './upload';
import '../styles/base.css';
import '../styles/field.css';
import '../styles/report.css';

const FIELD_ROLES = ['field_worker', 'department_staff'] as const;
const TASK_STATUSES = ['dispatched', 'accepted', 'handled'] as const;

/** Overdue first, then the nearest deadline, then the newest. */
const byUrgency = (a: CaseView, b: CaseView) =>
  Number(b.overdue) - Number(a.overdue) ||
  (a.nextDueAt ?? '9').localeCompare(b.nextDueAt ?? '9') ||
  b.reportedAt.localeCompare(a.reportedAt);

/** 市场监管所外勤, not 市场监管所外勤 · 市场监管所. */
const whoOf = (name: string, department: string) =>
  department && !name.includes(department) ? `${name} · ${department}` : name;

const caseIdInHash = () => /^#case\/([A-Za-z0-9_-]+)$/.exec(location.hash)?.[1];
const reportInHash = () => location.hash === '#report';

/** The worker's choice of order outlives the page (private mode: this page only). */
const ORDER_KEY = 'xietong.field.nearestFirst';
const storedNearestFirst = () => {
  try {
    return localStorage.getItem(ORDER_KEY) === 'true';
  } catch {
    return false;
  }
};
const storeNearestFirst = (value: boolean) => {
  try {
    localStorage.setItem(ORDER_KEY, String(value));
  } catch {
    // The choice lasts for this page only.
  }
};

const main = async () => {
  const root = byId('app');
  setLang(lang());
  const config = await loadRuntimeConfig();
  const auth = authProvider(config);
  const user = await signIn(root, auth, FIELD_ROLES, undefined, t('fieldTitle'));
  const api = createApi(config.apiBaseUrl, () => auth.current()?.token);
  void keepShellOffline();
  // Without signal the page opens on what it last read: the district, and the tasks below.
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
  const TASKS_SNAPSHOT = `tasks:${user.sub}`;
  setTimeZone(district.timezone);
  const names = districtNames(district);
  const navigation = district.navigation ?? FALLBACK_NAVIGATION;

  let tasks: CaseView[] | undefined = await readSnapshot<CaseView[]>(TASKS_SNAPSHOT);
  let detail: CaseView | undefined;
  let renderedVersion = -1;
  /** Kept across re-renders, so an upload in flight and its progress survive the live refresh. */
  let photos: PhotoSection | undefined;
  const photosFor = (c: CaseView) => {
    if (photos?.caseId !== c.id) {
      photos?.stop();
      photos = createPhotoSection(api, c.id);
    }
    photos.update(c);
    return photos.element;
  };
  let nearestFirst = storedNearestFirst();
  let position: PositionState = { kind: 'idle' };
  const here = () => (position.kind === 'located' ? position.at : undefined);
  const notice = h('div', { class: 'notice', role: 'status', 'data-testid': 'field-notice' });
  const body = h('main', { class: 'field-body' });
  /** What the outbox says across views (a report sent, a command kept), until the next one. */
  const outboxNotice = h('div', { class: 'notice', role: 'status', 'data-testid': 'outbox-notice' });
  const say = (text: string, kind: 'ok' | 'error' = 'ok') => {
    outboxNotice.textContent = text;
    outboxNotice.className = `notice ${kind}`;
  };
  const offlineBanner = h(
    'div',
    { class: 'offline-banner', role: 'status', 'data-testid': 'offline-banner', hidden: navigator.onLine },
    t('offlineBanner'),
  );
  const showConnection = () => {
    offlineBanner.hidden = navigator.onLine;
    document.body.dataset.online = String(navigator.onLine);
  };
  addEventListener('online', showConnection);
  addEventListener('offline', showConnection);
  showConnection();
  let patrol: PatrolForm | undefined;
  /** What the outbox holds: a case with a command kept for it offers no second one until it is sent. */
  let kept: OutboxEntry[] = [];
  const keptFor = (caseId: string | undefined) =>
    kept.some((e) => e.item.kind === 'command' && e.item.caseId === caseId);
  const outbox = createOutbox(api, user.sub, {
    changed: (entries) => {
      panel.show(entries);
      document.body.dataset.outbox = String(entries.length);
      const before = keptFor(detail?.id);
      kept = entries;
      // The case on screen got or lost a kept command: its buttons change.
      if (detail && before !== keptFor(detail.id) && caseIdInHash() === detail.id) {
        renderedVersion = -1;
        renderDetail(detail);
      }
    },
    reportSent: (_entry, c) => {
      say(t('patrolSent', { id: c.id }));
      document.body.dataset.lastReport = c.id;
      poller?.now();
    },
    commandSent: (entry, c) => {
      say(t('commandDone', { action: entry.label }));
      if (detail?.id === c.id) {
        detail = c;
        if (caseIdInHash() === c.id) renderDetail(c);
      }
      poller?.now();
    },
    signedOut: () => say(t('signInFailed', { detail: '401' }), 'error'),
  });
  const panel = outboxPanel(outbox, (id) => {
    location.hash = `#case/${id}`;
  });

  const dueLine = (c: CaseView) => {
    if (!c.nextDueAt) return tOf('status', c.status);
    const left = Date.parse(c.nextDueAt) - Date.now();
    return left < 0
      ? t('fieldOverdueBy', { d: formatDuration(-left) })
      : t('fieldDueIn', { d: formatDuration(left) });
  };

  const placeName = (c: CaseView) => c.location.address ?? (names.category(c.category) || t('caseTriage'));

  /** 导航 (and, once the worker's position is known, how far): opens the district's map app. */
  const navigateLink = (c: CaseView) => {
    const name = placeName(c);
    const url = navigationUrl(navigation, { lat: c.location.lat, lng: c.location.lng, name });
    const metres = distanceTo(here(), c);
    return h(
      'a',
      {
        class: 'task-nav',
        href: url,
        target: opensInNewTab(url) ? '_blank' : undefined,
        rel: 'noopener noreferrer',
        title: t('fieldNavigateHint'),
        'aria-label': labelled(t('fieldNavigate'), name),
        'data-testid': 'task-navigate',
      },
      metres === undefined
        ? null
        : h(
            'span',
            { class: 'task-distance', 'data-testid': 'task-distance', 'data-metres': Math.round(metres) },
            distanceText(metres),
          ),
      h('span', { class: 'task-nav-label' }, t('fieldNavigate')),
    );
  };

  /** Where the distances stand: a button to ask for the position, or why there are none. */
  const locationLine = () => {
    switch (position.kind) {
      case 'located':
        return null;
      case 'idle':
        return h(
          'button',
          {
            class: 'btn ghost small',
            type: 'button',
            'data-testid': 'locate',
            onclick: () => positionWatch.start(),
          },
          t('fieldLocate'),
        );
      case 'locating':
        return h('span', { class: 'muted' }, t('fieldLocating'));
      case 'denied':
        return h('span', { class: 'muted' }, t('fieldLocationDenied'));
      case 'unavailable':
        return h('span', { class: 'muted' }, t('fieldLocationUnavailable'));
    }
  };

  const taskTools = () => {
    // Refused or impossible: the toggle would do nothing, so it is off and says why beside it.
    const canSort = position.kind !== 'denied' && position.kind !== 'unavailable';
    return h(
      'div',
      { class: 'task-tools', 'data-testid': 'task-tools', 'data-location': position.kind },
      h(
        'button',
        {
          class: `btn small toggle${nearestFirst && canSort ? ' on' : ''}`,
          type: 'button',
          disabled: !canSort,
          'aria-pressed': String(nearestFirst && canSort),
          'data-testid': 'sort-distance',
          onclick: () => {
            nearestFirst = !nearestFirst;
            storeNearestFirst(nearestFirst);
            // Nearest first needs the position: the tap is the worker's consent to ask for it.
            if (nearestFirst && position.kind === 'idle') positionWatch.start();
            renderList();
          },
        },
        t('fieldSortByDistance'),
      ),
      h('span', { class: 'task-location', role: 'status' }, locationLine()),
    );
  };

  const taskItem = (c: CaseView) =>
    h(
      'li',
      { class: `task-card${c.overdue ? ' overdue' : ''}` },
      h(
        'a',
        {
          class: `task${c.overdue ? ' overdue' : ''}`,
          href: `#case/${c.id}`,
          'data-case-id': c.id,
        },
        h(
          'div',
          { class: 'task-head' },
          h('span', { class: `dot priority-${c.priority}${c.overdue ? ' overdue' : ''}` }),
          h('strong', {}, names.category(c.category) || t('caseTriage')),
          h('span', { class: `tag status-${c.status}` }, tOf('status', c.status)),
        ),
        h('div', { class: 'task-address muted' }, c.location.address ?? names.zone(c.zone?.id)),
        h('div', { class: `task-due${c.overdue ? ' overdue' : ''}` }, dueLine(c)),
      ),
      navigateLink(c),
    );

  const renderList = () => {
    body.replaceChildren(
      h(
        'a',
        { class: 'btn primary patrol-new', href: '#report', 'data-testid': 'patrol-new' },
        `＋ ${t('patrolNew')}`,
      ),
      h(
        'h2',
        { class: 'section-title' },
        t('fieldMyTasks'),
        h('span', { class: 'count' }, String(tasks?.length ?? '…')),
      ),
      taskTools(),
      tasks === undefined
        ? h('p', { class: 'muted' }, t('loading'))
        : tasks.length === 0
          ? h('p', { class: 'muted empty' }, t('fieldNoTasks'))
          : h(
              'ul',
              {
                class: 'tasks',
                'data-testid': 'tasks',
                'data-order': nearestFirst && here() ? 'distance' : 'urgency',
              },
              orderByDistance(tasks, here(), nearestFirst).map(taskItem),
            ),
    );
  };

  const positionWatch = watchPosition((next) => {
    position = next;
    if (!caseIdInHash() && !reportInHash()) renderList();
  });
  position = positionWatch.state();

  /**
   * `keepForm`: the case changed under the worker (the poller saw a newer version), so a form they
   * have open comes back with what they wrote in it. After their own command it does not.
   */
  const renderDetail = (c: CaseView, keepForm = false) => {
    if (body.querySelector('.action-form') && c.version === renderedVersion) return;
    const open = keepForm ? openFormIn(body) : undefined;
    renderedVersion = c.version;
    body.replaceChildren(
      h('a', { class: 'back', href: '#' }, `‹ ${t('fieldBack')}`),
      h(
        'article',
        { class: 'case', 'data-testid': 'field-case' },
        h('h2', {}, names.category(c.category) || t('caseTriage')),
        h(
          'div',
          { class: 'badges' },
          h(
            'span',
            { class: `badge status-${c.status}`, 'data-testid': 'field-status' },
            tOf('status', c.status),
          ),
          h('span', { class: `badge priority priority-${c.priority}` }, tOf('priority', c.priority)),
          c.overdue ? h('span', { class: 'badge overdue' }, t('caseOverdue')) : null,
        ),
        h('p', { class: 'description' }, c.description),
        h(
          'ul',
          { class: 'facts' },
          h('li', {}, labelled(t('caseAddress'), c.location.address ?? '—')),
          h('li', { class: 'facts-navigate' }, navigateLink(c)),
          h('li', {}, labelled(t('caseZone'), names.zone(c.zone?.id) || '—')),
          h('li', {}, labelled(t('caseReportedAt'), formatDateTime(c.reportedAt))),
          c.nextDueAt
            ? h('li', {}, labelled(t('caseDue'), `${formatDateTime(c.nextDueAt)} · ${dueLine(c)}`))
            : null,
          c.reporter?.name || c.reporter?.phone
            ? h(
                'li',
                {},
                labelled(t('caseReporter'), [c.reporter.name, c.reporter.phone].filter(Boolean).join(' ')),
              )
            : null,
        ),
        notice,
        keptFor(c.id)
          ? h('p', { class: 'muted', 'data-testid': 'command-kept' }, t('outboxCommandKept'))
          : renderActions(c, {
              api,
              user,
              district,
              compact: true,
              notify: (text, isError) => {
                notice.textContent = text;
                notice.className = isError ? 'notice error' : 'notice ok';
              },
              onChanged: (next) => {
                detail = next;
                renderedVersion = -1;
                renderDetail(next);
                poller?.now();
              },
              whenOffline: (command, commandBody, expectedVersion) =>
                outbox.add({
                  label: `${tOf('command', command)} · ${names.category(c.category) || c.id}`,
                  item: { kind: 'command', caseId: c.id, command, body: commandBody, expectedVersion },
                }),
            }),
        photosFor(c),
        h('section', {}, h('h3', {}, t('caseTimeline')), renderTimeline(c.timeline, names)),
      ),
    );
    if (open) reopenForm(body, open);
  };

  const route = async () => {
    const id = caseIdInHash();
    if (!reportInHash()) {
      patrol?.dispose();
      patrol = undefined;
    }
    if (reportInHash()) {
      photos?.stop();
      photos = undefined;
      detail = undefined;
      if (patrol) return;
      scrollTo(0, 0);
      patrol = patrolReportForm({
        district,
        names,
        outbox,
        onQueued: (text) => {
          say(text);
          location.hash = '';
        },
      });
      body.replaceChildren(patrol.element);
      return;
    }
    if (!id) {
      photos?.stop();
      photos = undefined;
      detail = undefined;
      notice.textContent = '';
      renderList();
      return;
    }
    if (detail?.id !== id) {
      renderedVersion = -1;
      scrollTo(0, 0);
      body.replaceChildren(h('p', { class: 'muted' }, t('loading')));
      // Without signal: the task as last read (its version is what a kept command will carry).
      detail = await api.get(id).catch((error: unknown) => {
        const kept = error instanceof NetworkError ? tasks?.find((task) => task.id === id) : undefined;
        if (!kept) throw error;
        return kept;
      });
    }
    renderDetail(detail);
  };

  const mount = () => {
    root.replaceChildren(
      h(
        'div',
        { class: 'field' },
        h(
          'header',
          { class: 'field-top' },
          h(
            'div',
            {},
            h('h1', {}, t('fieldTitle')),
            h('div', { class: 'muted who' }, whoOf(user.name, names.department(user.department))),
          ),
          h(
            'div',
            { class: 'field-top-buttons' },
            languageSwitch(() => {
              photos?.stop();
              photos = undefined;
              mount();
              void route();
            }),
            h(
              'button',
              {
                class: 'btn ghost',
                onclick: () => {
                  location.hash = '';
                  void auth.leave();
                },
              },
              t('signOut'),
            ),
          ),
        ),
        offlineBanner,
        h('div', { class: 'field-outbox' }, outboxNotice, panel.element),
        body,
      ),
    );
  };

  let poller: ReturnType<typeof startPolling> | undefined;
  mount();
  addEventListener('hashchange', () => void route().catch(showFatal));
  await route();
  void outbox.flush();
  // Loaded (and kept by the service worker) while there is signal, so suggestions work without.
  void suggester(district).then(() => {
    document.body.dataset.suggester = 'ready';
  });

  poller = startPolling(
    async () => {
      const lists = await Promise.all(
        TASK_STATUSES.map((status) => api.listAll({ status }, { maxPages: 5 })),
      );
      tasks = lists
        .flatMap((list) => list.items)
        .filter((c) => c.assignee === user.department)
        .sort(byUrgency);
      void writeSnapshot(TASKS_SNAPSHOT, tasks);
      if (detail) {
        const next = await api.get(detail.id);
        if (next.version !== detail.version && caseIdInHash() === next.id) {
          detail = next;
          renderDetail(next, true);
        }
      } else if (!caseIdInHash() && !reportInHash()) renderList();
      document.body.dataset.updatedAt = new Date().toISOString();
    },
    config.refreshMs,
    (error) => void signOutIfExpired(auth, error),
  );
};

main().catch(showFatal);
