import { describe, expect, it } from "vitest";
import { parseConfig } from "../env";
import { createLogger } from "../log";
import { createSession, isAuthorized, isOpenDevelopment } from "./auth";

const quiet = createLogger({ level: "error" });
const secured = parseConfig({ ADMIN_PASSWORD: "pw", ADMIN_TOKEN: "token-123", SESSION_SECRET: "x".repeat(40) });

describe("admin auth", () => {
  it("accepts the bearer token and refuses a wrong one", async () => {
    expect(await isAuthorized({ authorization: "Bearer token-123", host: "example.com" }, secured, quiet)).toBe(true);
    expect(await isAuthorized({ authorization: "Bearer token-124", host: "example.com" }, secured, quiet)).toBe(false);
    expect(await isAuthorized({ host: "localhost:3000" }, secured, quiet)).toBe(false);
  });

  it("accepts a session it sealed and refuses a tampered one", async () => {
    const cookie = await createSession(secured);
    expect(await isAuthorized({ sessionCookie: cookie, host: "example.com" }, secured, quiet)).toBe(true);
    const tampered = `${cookie.slice(0, -4)}AAAA`;
    expect(await isAuthorized({ sessionCookie: tampered, host: "example.com" }, secured, quiet)).toBe(false);
    const otherSecret = parseConfig({ ADMIN_PASSWORD: "pw", SESSION_SECRET: "y".repeat(40) });
    expect(await isAuthorized({ sessionCookie: cookie, host: "example.com" }, otherSecret, quiet)).toBe(false);
  });

  it("is open without credentials only in development and only on localhost", () => {
    const open = parseConfig({});
    expect(isOpenDevelopment(open, "localhost:3000", quiet)).toBe(true);
    expect(isOpenDevelopment(open, "127.0.0.1:3000", quiet)).toBe(true);
    expect(isOpenDevelopment(open, "myapp.example.com", quiet)).toBe(false);
    expect(isOpenDevelopment(secured, "localhost:3000", quiet)).toBe(false);
  });
});
