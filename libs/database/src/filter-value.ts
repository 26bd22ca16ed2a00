/**
 * A value a filter compares with, checked to be a plain string: never an object that MongoDB would
 * read as a query operator (`{ $ne: … }`), whatever reached a repository.
 */
export function plainString(value: string): string {
  if (typeof value !== 'string') throw new TypeError('expected a string');
  return value;
}
