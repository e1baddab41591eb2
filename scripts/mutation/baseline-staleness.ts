interface BaselineFile {
  readonly source: string;
  readonly mutants: readonly { readonly coveredBy?: readonly string[] }[];
}

/** The part of Stryker's incremental file (test/mutation/stryker-incremental.json) the estimate reads. */
export interface IncrementalBaseline {
  readonly files: Readonly<Record<string, BaselineFile>>;
  readonly testFiles?: Readonly<
    Record<string, { readonly source?: string; readonly tests: readonly { readonly id: string }[] }>
  >;
}

export interface BaselineStaleness {
  /** Core files the baseline holds with other content. */
  readonly changedFiles: readonly string[];
  /**
   * Core files the baseline does not hold: new to the core, or files Stryker records nothing for (every
   * mutant of a file of constants is static, ignored, so the file is never written to the baseline).
   */
  readonly unrecordedFiles: readonly string[];
  readonly changedTestFiles: readonly string[];
  /** About how many mutants Stryker will run again. */
  readonly mutants: number;
}

/** Lines that hold code: not blank, not only a comment. */
const codeLines = (source: string): number =>
  source.split('\n').filter((line) => {
    const text = line.trim();
    return text !== '' && !text.startsWith('//') && !text.startsWith('*') && !text.startsWith('/*');
  }).length;

/**
 * What changed since the baseline was written, and about how many mutants that puts back in play: every
 * mutant of a changed core file, the mutants a changed unit test covers, and for a core file the baseline
 * does not hold, its code lines times the baseline's own mutants per code line (a file of constants, whose
 * mutants are all static, is small and costs little; a large new file, much).
 */
export const baselineStaleness = (
  baseline: IncrementalBaseline,
  coreFiles: readonly string[],
  read: (path: string) => string | undefined,
): BaselineStaleness => {
  const recorded = coreFiles.filter((file) => baseline.files[file] !== undefined);
  const unrecordedFiles = coreFiles.filter((file) => baseline.files[file] === undefined);
  const changedFiles = recorded.filter((file) => baseline.files[file]?.source !== read(file));
  const changedTestFiles = Object.entries(baseline.testFiles ?? {})
    .filter(([file, { source }]) => source !== undefined && source !== read(file))
    .map(([file]) => file);
  const changedTests = new Set(
    changedTestFiles.flatMap((file) => (baseline.testFiles?.[file]?.tests ?? []).map((test) => test.id)),
  );
  const recordedMutants = recorded.reduce(
    (sum, file) => sum + (baseline.files[file]?.mutants.length ?? 0),
    0,
  );
  const recordedLines = recorded.reduce(
    (sum, file) => sum + codeLines(baseline.files[file]?.source ?? ''),
    0,
  );
  const mutantsPerLine = recordedLines === 0 ? 1 : recordedMutants / recordedLines;
  let mutants = 0;
  for (const file of unrecordedFiles) mutants += Math.ceil(codeLines(read(file) ?? '') * mutantsPerLine);
  for (const file of recorded) {
    const known = baseline.files[file];
    if (known === undefined) continue;
    if (changedFiles.includes(file)) mutants += known.mutants.length;
    else
      mutants += known.mutants.filter((m) => (m.coveredBy ?? []).some((id) => changedTests.has(id))).length;
  }
  return { changedFiles, unrecordedFiles, changedTestFiles, mutants };
};
