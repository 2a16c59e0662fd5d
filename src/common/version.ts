/**
 * envirowatch's version numbers (package.json's, which the Debian package carries): which of two is
 * newer, so the analyzer can show which sensors are behind. Semantic Versioning 2.0.0 §11:
 * major.minor.patch compared numerically, a pre-release (`1.2.0-rc.1`) before its release, build
 * metadata (`+…`) ignored. Text that is no such version sorts before every version.
 */
const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Negative when `a` is older than `b`, positive when newer, 0 when the same. */
export function compareVersions(a: string, b: string): number {
  const left = VERSION.exec(a);
  const right = VERSION.exec(b);
  if (!left || !right) return Number(Boolean(left)) - Number(Boolean(right)) || (a < b ? -1 : a > b ? 1 : 0);
  for (let i = 1; i <= 3; i++) {
    const difference = Number(left[i]) - Number(right[i]);
    if (difference !== 0) return Math.sign(difference);
  }
  return comparePreRelease(left[4], right[4]);
}

/** §11.3-11.4: no pre-release is newer; identifiers compared one by one, numbers numerically and before text. */
function comparePreRelease(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const [x, y] = [left[i]!, right[i]!];
    if (x === y) continue;
    const [xNumber, yNumber] = [/^\d+$/.test(x), /^\d+$/.test(y)];
    if (xNumber && yNumber) return Math.sign(Number(x) - Number(y));
    if (xNumber !== yNumber) return xNumber ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return Math.sign(left.length - right.length);
}
