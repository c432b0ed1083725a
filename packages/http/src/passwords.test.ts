import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./passwords.js";

describe("passwords", () => {
  it("hashes into a salted PHC scrypt string that verifies only the same password", async () => {
    const a = await hashPassword("s3cret-pass", { ln: 10 });
    const b = await hashPassword("s3cret-pass", { ln: 10 });
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("s3cret-pass", a)).toBe(true);
    expect(await verifyPassword("s3cret-pasS", a)).toBe(false);
  });

  it("uses N = 2^14 by default and never matches a malformed hash", async () => {
    expect(await hashPassword("x")).toMatch(/^\$scrypt\$ln=14,/);
    expect(await verifyPassword("x", "plain-text")).toBe(false);
    expect(await verifyPassword("x", "$scrypt$ln=40,r=8,p=1$AAAA$AAAA")).toBe(false);
  });
});
