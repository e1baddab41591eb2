import type { SettingParser } from './setting-parser.js';

/**
 * Who gives a setting its value: the stage's config (infra/config.ts), the infrastructure itself (table
 * names and secret ARNs the stacks create), the platform (Lambda sets AWS_REGION), or local runs only.
 */
export type SetBy = 'stage' | 'infrastructure' | 'platform' | 'local';

/** One runtime setting: the variable it is read from, how its text is parsed, and who sets it. */
export interface RuntimeSetting<T = unknown, W extends SetBy = SetBy> {
  readonly kind: 'runtime-setting';
  readonly variable: string;
  /** Parses the variable's trimmed text (undefined when unset or empty) into the typed value. */
  readonly parser: SettingParser<T>;
  readonly setBy: W;
}

export const setting = <T, W extends SetBy = 'stage'>(
  variable: string,
  parser: SettingParser<T>,
  setBy: W = 'stage' as W,
): RuntimeSetting<T, W> => Object.freeze({ kind: 'runtime-setting', variable, parser, setBy });

/** A tree of settings: each leaf a RuntimeSetting, each group an object of them. */
export interface SettingsTree {
  readonly [key: string]: RuntimeSetting | SettingsTree;
}

export const isRuntimeSetting = (node: RuntimeSetting | SettingsTree): node is RuntimeSetting =>
  (node as RuntimeSetting).kind === 'runtime-setting';

/** Deeply read-only, as parseRuntimeConfig freezes what it returns. */
export type Frozen<T> = T extends readonly (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

/** The typed value of every setting of a tree, in the tree's shape. */
export type ConfigOf<T extends SettingsTree> = {
  readonly [K in keyof T]: T[K] extends RuntimeSetting<infer V>
    ? Frozen<V>
    : T[K] extends SettingsTree
      ? ConfigOf<T[K]>
      : never;
};

type StageKeys<T extends SettingsTree> = {
  [K in keyof T]: T[K] extends RuntimeSetting<unknown, infer W>
    ? W extends 'stage'
      ? K
      : never
    : T[K] extends SettingsTree
      ? K
      : never;
}[keyof T];

/**
 * What a stage may set: the `stage` settings of a tree, each optional (unset means the function's
 * default), as typed values. infra/config.ts writes these; environmentOf() turns them into variables.
 */
export type StageValuesOf<T extends SettingsTree> = {
  readonly [K in StageKeys<T>]?: T[K] extends RuntimeSetting<infer V>
    ? Frozen<V>
    : T[K] extends SettingsTree
      ? StageValuesOf<T[K]>
      : never;
};

/** Every leaf with its path, in declaration order. */
export const settingsOf = (
  tree: SettingsTree,
  path: readonly string[] = [],
): readonly { readonly path: readonly string[]; readonly setting: RuntimeSetting }[] =>
  Object.entries(tree).flatMap(([key, node]) =>
    isRuntimeSetting(node) ? [{ path: [...path, key], setting: node }] : settingsOf(node, [...path, key]),
  );
