/**
 * The workflow buttons of a case and the small form each opens (reason, note, department…),
 * wired to the API with the version the user is looking at. Shared by the cockpit and the field page.
 */
import type { DistrictConfig } from '../../shared/district/schema';
import { type Api, ApiError, type CaseView, NetworkError } from './api';
import { categoryPicker } from './category-picker';
import { h } from './dom';
import { localName, t, tOf } from './i18n';
import { availableCommands, type UiCommand } from './permissions';
import type { SignedInUser } from './user';

export interface ActionsOptions {
  api: Api;
  user: SignedInUser;
  district: DistrictConfig;
  /** Called with the case as the API returned it after a command, or reloaded after a conflict. */
  onChanged: (next: CaseView) => void;
  /** Shows a message that outlives this element (the panel re-renders after a command). */
  notify?: (text: string, isError?: boolean) => void;
  /** Larger touch targets and full-width forms (the field page). */
  compact?: boolean;
  /**
   * Keeps a command made without signal to send later (the field page's outbox), with the version
   * the user saw; without it a command needs the network.
   */
  whenOffline?: (command: UiCommand, body: Record<string, unknown>, expectedVersion: number) => Promise<void>;
}

type Field =
  | { kind: 'text'; name: string; label: string; required: boolean; placeholder?: string }
  | {
      kind: 'select';
      name: string;
      label: string;
      options: { value: string; label: string }[];
      value?: string;
    }
  | { kind: 'category'; name: string; label: string; categories: DistrictConfig['categories'] }
  | { kind: 'verdict'; name: 'passed' };

const label = (command: UiCommand, c: CaseView) =>
  command === 'dispatch' && c.status !== 'registered' ? t('command.reassign') : tOf('command', command);

const fieldsOf = (command: UiCommand, c: CaseView, district: DistrictConfig): Field[] => {
  switch (command) {
    case 'dispatch': {
      const departments = district.departments
        .filter((d) => d.kind !== 'command-centre')
        .map((d) => ({ value: d.id, label: localName(d.name) }));
      const fields: Field[] = [];
      if (c.triage || !c.category) {
        fields.push({
          kind: 'category',
          name: 'category',
          label: t('category'),
          categories: district.categories,
        });
      }
      const suggested = c.status === 'registered' ? (c.lead ?? '') : '';
      fields.push({
        kind: 'select',
        name: 'department',
        label: t('department'),
        options: [{ value: '', label: `${t('caseLead')}${c.lead ? ` · ${lookup(district, c.lead)}` : ''}` }]
          .concat(departments)
          .filter((o, i) => i === 0 || o.value !== c.assignee),
        value: suggested === c.lead ? '' : suggested,
      });
      if (c.status !== 'registered')
        fields.push({ kind: 'text', name: 'reason', label: t('reason'), required: true });
      return fields;
    }
    case 'accept':
    case 'close':
      return [{ kind: 'text', name: 'note', label: t('note'), required: false }];
    case 'progress':
      return [
        {
          kind: 'text',
          name: 'note',
          label: t('note'),
          required: true,
          placeholder: t('fieldProgressPlaceholder'),
        },
      ];
    case 'resolve':
      return [
        {
          kind: 'text',
          name: 'result',
          label: t('result'),
          required: true,
          placeholder: t('fieldResultPlaceholder'),
        },
      ];
    case 'verify':
      return [
        { kind: 'verdict', name: 'passed' },
        { kind: 'text', name: 'note', label: t('note'), required: false },
      ];
    case 'return':
      return [
        {
          kind: 'text',
          name: 'reason',
          label: t('reason'),
          required: true,
          placeholder: t('fieldReasonPlaceholder'),
        },
      ];
    case 'reopen':
    case 'cancel':
      return [{ kind: 'text', name: 'reason', label: t('reason'), required: true }];
  }
};

const lookup = (district: DistrictConfig, id: string) =>
  localName(district.departments.find((d) => d.id === id)?.name, id);

const renderField = (field: Field): HTMLElement => {
  switch (field.kind) {
    case 'text':
      return h(
        'label',
        { class: 'field' },
        h('span', {}, field.label, field.required ? ' *' : ''),
        h('textarea', {
          name: field.name,
          rows: 2,
          required: field.required,
          maxlength: 1000,
          placeholder: field.placeholder,
        }),
      );
    case 'select':
      return h(
        'label',
        { class: 'field' },
        h('span', {}, field.label),
        h(
          'select',
          { name: field.name },
          field.options.map((o) =>
            h('option', { value: o.value, selected: o.value === field.value }, o.label),
          ),
        ),
      );
    case 'category':
      return h(
        'label',
        { class: 'field' },
        h('span', {}, field.label),
        categoryPicker(field.categories, { name: field.name, label: field.label }).element,
      );
    case 'verdict':
      return h(
        'div',
        { class: 'field verdict' },
        h(
          'label',
          {},
          h('input', { type: 'radio', name: 'passed', value: 'true', checked: true }),
          t('verifyPassed'),
        ),
        h('label', {}, h('input', { type: 'radio', name: 'passed', value: 'false' }), t('verifyFailed')),
      );
  }
};

const bodyOf = (form: HTMLFormElement, fields: Field[]): Record<string, unknown> => {
  const data = new FormData(form);
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = data.get(field.name);
    if (field.kind === 'verdict') body.passed = raw !== 'false';
    else if (typeof raw === 'string' && raw.trim() !== '') body[field.name] = raw.trim();
  }
  return body;
};

const describeError = (error: unknown): string => {
  if (error instanceof ApiError) {
    if (error.status === 403) return t('forbidden');
    const first = error.problem.errors?.[0];
    return t('failed', { detail: first ? `${first.field}: ${first.message}` : error.message });
  }
  return t('failed', { detail: (error as Error).message });
};

/** An action form open on screen: its command and what has been written or chosen in it. */
export interface OpenForm {
  command: string;
  fields: { name: string; value: string; checked?: boolean }[];
}

type NamedField = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
const isChoice = (field: NamedField): field is HTMLInputElement =>
  field instanceof HTMLInputElement && (field.type === 'radio' || field.type === 'checkbox');

/** The action form open under `root`, if any (see `reopenForm`). */
export const openFormIn = (root: ParentNode): OpenForm | undefined => {
  const form = root.querySelector<HTMLFormElement>('form.action-form');
  const command = form?.dataset.command;
  if (!form || !command) return undefined;
  const fields = [...form.querySelectorAll<NamedField>('[name]')].map((field) => ({
    name: field.name,
    value: field.value,
    ...(isChoice(field) && { checked: field.checked }),
  }));
  return { command, fields };
};

/**
 * Opens `open`'s form again under `root` (re-rendered for a newer version of the case), with what
 * was in it: a change that arrives while someone writes (a photo's check, a colleague's note) must
 * not throw their words away. The form then acts on the newer version. A command the new state no
 * longer offers is not reopened: the case on screen shows why.
 */
export const reopenForm = (root: ParentNode, open: OpenForm): void => {
  const button = root.querySelector<HTMLButtonElement>(
    `.action-buttons button[data-command="${CSS.escape(open.command)}"]`,
  );
  if (!button) return;
  button.click();
  const form = root.querySelector<HTMLFormElement>('form.action-form');
  for (const saved of open.fields) {
    for (const field of form?.querySelectorAll<NamedField>(`[name="${CSS.escape(saved.name)}"]`) ?? []) {
      if (isChoice(field))
        field.checked = field.value === saved.value ? (saved.checked ?? false) : field.checked;
      else field.value = saved.value;
    }
  }
};

/** The buttons for what this user may do now; each opens its form in `formHost`. */
export const renderActions = (c: CaseView, options: ActionsOptions): HTMLElement => {
  const { api, user, district } = options;
  const commands = availableCommands(user, c);
  const formHost = h('div', { class: 'action-form-host' });
  const message = h('p', { class: 'action-message', role: 'status' });
  if (commands.length === 0) {
    return h('div', { class: 'actions' }, h('p', { class: 'muted' }, t('caseNoActions')));
  }

  const open = (command: UiCommand) => {
    const fields = fieldsOf(command, c, district);
    const submit = h(
      'button',
      { class: 'btn primary', type: 'submit', 'data-testid': `submit-${command}` },
      t('submit'),
    );
    const form = h(
      'form',
      { class: 'action-form', 'data-command': command },
      h('h4', {}, label(command, c)),
      fields.map(renderField),
      h(
        'div',
        { class: 'form-buttons' },
        submit,
        h(
          'button',
          { class: 'btn ghost', type: 'button', onclick: () => formHost.replaceChildren() },
          t('cancel'),
        ),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit.disabled = true;
      message.textContent = '';
      message.className = 'action-message';
      const body = bodyOf(form, fields);
      const keep = async () => {
        await options.whenOffline?.(command, body, c.version);
        const kept = t('commandQueued', { action: label(command, c) });
        if (options.notify) options.notify(kept);
        else message.textContent = kept;
        formHost.replaceChildren();
      };
      if (options.whenOffline && !navigator.onLine) {
        void keep();
        return;
      }
      api
        .command(c.id, command, body, c.version, () => {
          message.textContent = t('retrying');
        })
        .then((next) => {
          const done = t('commandDone', { action: label(command, c) });
          if (options.notify) options.notify(done);
          else message.textContent = done;
          options.onChanged(next);
        })
        .catch(async (error: unknown) => {
          if (error instanceof NetworkError && options.whenOffline) {
            await keep();
            return;
          }
          submit.disabled = false;
          message.className = 'action-message error';
          if (error instanceof ApiError && error.status === 409) {
            message.textContent = t('conflict');
            options.notify?.(t('conflict'), true);
            options.onChanged(await api.get(c.id));
            return;
          }
          message.textContent = describeError(error);
        });
    });
    formHost.replaceChildren(form);
    form.querySelector<HTMLElement>('textarea, select')?.focus();
  };

  return h(
    'div',
    { class: options.compact ? 'actions compact' : 'actions' },
    h(
      'div',
      { class: 'action-buttons' },
      commands.map((command) =>
        h(
          'button',
          {
            class: `btn action ${command === commands[0] ? 'primary' : ''}`,
            'data-command': command,
            onclick: () => open(command),
          },
          label(command, c),
        ),
      ),
    ),
    formHost,
    message,
  );
};
