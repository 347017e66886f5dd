/**
 * In-place insert and remove for the books' parallel number arrays. `splice` allocates an array
 * of the removed elements on every call (and the books call it per event, per level, for
 * thousands of symbols); these shift the elements instead and allocate nothing.
 */

/** Inserts `v` at index `i` (0..length), shifting the rest up. */
export function insertAt<T>(a: T[], i: number, v: T): void {
  let k = a.length;
  a.push(v);
  for (; k > i; k--) a[k] = a[k - 1]!;
  a[i] = v;
}

/** Removes the element at index `i` (0..length-1), shifting the rest down. */
export function removeAt<T>(a: T[], i: number): void {
  const n = a.length - 1;
  for (let k = i; k < n; k++) a[k] = a[k + 1]!;
  a.pop();
}
