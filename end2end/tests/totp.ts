import { createHmac } from "node:crypto";

const STEP_MS = 30_000;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 (no padding needed), as authenticator apps read the secret. */
export function base32Decode(text: string): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text.replace(/[\s=]/g, "").toUpperCase()) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${JSON.stringify(char)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
      value &= (1 << bits) - 1;
    }
  }
  return Buffer.from(bytes);
}

/** The RFC 6238 code of `secret` for one 30-second step: HMAC-SHA1, 6 digits. */
export function totpCode(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const number = ((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3];
  return String(number % 1_000_000).padStart(6, "0");
}

/**
 * An authenticator app in the test. The server accepts the code of the current step or of one
 * either side, and each step only once (never one at or before the last accepted), so each
 * code handed out is for the earliest step after the last one still inside that window; only
 * when none is left does it wait (at most one step) for the clock.
 */
export class Authenticator {
  private readonly secret: Buffer;
  private last = -Infinity;

  constructor(base32Secret: string) {
    this.secret = base32Decode(base32Secret);
  }

  /** A code the server has not accepted yet. */
  async nextCode(): Promise<string> {
    for (;;) {
      const now = Date.now();
      const current = Math.floor(now / STEP_MS);
      // Late in a step the server may already be in the next one: do not use the previous step then.
      const earliest = now % STEP_MS > STEP_MS - 5_000 ? current : current - 1;
      const step = Math.max(this.last + 1, earliest);
      if (step <= current + 1) {
        this.last = step;
        return totpCode(this.secret, step);
      }
      await new Promise((resolve) => setTimeout(resolve, (step - 1) * STEP_MS - now + 100));
    }
  }
}
