import { InvalidArgumentError } from '@commander-js/extra-typings';

export const knownRoles = ['user', 'admin', 'health'] as const;

/** `--role` may be given several times; each value must be a known role, none twice. */
export const collectRole = (value: string, previous: string[] | undefined): string[] => {
  if (!(knownRoles as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${knownRoles.join(', ')}`);
  }
  const roles = previous ?? [];
  if (roles.includes(value)) throw new InvalidArgumentError('given twice');
  return [...roles, value];
};

export const wholeNumber = (value: string): number => {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
};

export const isoInstant = (value: string): string => {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new InvalidArgumentError(
      'must be an ISO 8601 instant with a time zone, such as 2027-01-31T00:00:00Z',
    );
  }
  return value;
};

/** A path segment the CLI puts in a URL: encoded, so an id can never change the path. */
export const segment = (value: string): string => encodeURIComponent(value);
