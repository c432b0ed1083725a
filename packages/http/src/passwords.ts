import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** scrypt cost parameters; `ln` is log2 of N. */
const LN = 14;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, ln: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_BYTES,
      { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

/**
 * Hash a password with scrypt (N = 2^ln with ln = 14 by default, r = 8, p = 1,
 * 16-byte random salt, 32-byte key) into a PHC-style string:
 * `$scrypt$ln=14,r=8,p=1$<salt base64>$<hash base64>`. `ln` may be lowered
 * (to 10 at least) only where speed matters more than strength, e.g. tests.
 */
export async function hashPassword(
  password: string,
  options: { ln?: number } = {},
): Promise<string> {
  const ln = Math.min(20, Math.max(10, options.ln ?? LN));
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, ln, R, P);
  return `$scrypt$ln=${ln},r=${R},p=${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

const PHC =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/**
 * True when `password` matches a hash made by {@link hashPassword}; compares in
 * constant time. A malformed or foreign hash never matches (returns false).
 */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const m = PHC.exec(phc);
  if (m === null) return false;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 10 || ln > 20 || r < 1 || p < 1) return false;
  const salt = Buffer.from(m[4]!, "base64");
  const expected = Buffer.from(m[5]!, "base64");
  const key = await derive(password, salt, ln, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
