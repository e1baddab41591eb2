import { type SettingsTree, type StageValuesOf, settingsOf } from './runtime-setting.js';
import { runtimeSettings } from './runtime-settings.js';

/** What a deployment stage sets: the `stage` settings, each optional, as typed values. */
export type StageRuntimeValues = StageValuesOf<typeof runtimeSettings>;

const valueAt = (values: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
    values,
  );

/** The text a setting's parser reads back as `value`: lists comma-joined, everything else as a string. */
const textOf = (value: unknown): string => (Array.isArray(value) ? value.join(',') : String(value));

/**
 * The environment variables that give a function these stage values; settings a stage leaves unset
 * get no variable (the function's default applies). The inverse of parseRuntimeConfig for stage values,
 * so the CDK stack and the functions cannot disagree on a name or a format.
 */
export const environmentOf = (
  values: StageRuntimeValues,
  tree: SettingsTree = runtimeSettings,
): Record<string, string> =>
  Object.fromEntries(
    settingsOf(tree)
      .filter(({ setting }) => setting.setBy === 'stage')
      .flatMap(({ path, setting }) => {
        const value = valueAt(values, path);
        return value === undefined ? [] : [[setting.variable, textOf(value)]];
      }),
  );
