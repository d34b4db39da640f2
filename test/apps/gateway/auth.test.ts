import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, UnsecuredJWT, exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import { importVerificationKey } from "../../../apps/gateway/src/auth/jwt.js";
import { gatewayConfig, httpRequest, startGateway, startUpstream, tempFile, type TestGateway, type Upstream } from "./helpers.js";

const ISS = "https://issuer.test";
const AUD = "gateway";
const HS_SECRET = "0123456789abcdef0123456789abcdef-hs256-test-secret";
const hsKey = new TextEncoder().encode(HS_SECRET);

function claims(over: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { sub: "user-1", iss: ISS, aud: AUD, iat: now, exp: now + 300, ...over };
}

async function hs(alg: "HS256" | "HS512", payload = claims(), key: Uint8Array = hsKey): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(key);
}

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream((_req, res) => res.end("ok"));
});
afterAll(() => upstream.close());

describe("JWT auth, HS256", () => {
  let g: TestGateway;
  beforeAll(async () => {
    const keyFile = tempFile("key", `${HS_SECRET}\n`);
    g = await startGateway(
      gatewayConfig(
        [
          { prefix: "/private", upstream: upstream.url, kind: "stream", auth: true },
          { prefix: "/public", upstream: upstream.url, kind: "stream", auth: false },
        ],
        { JWT_ALG: "HS256", JWT_ISSUER: ISS, JWT_AUDIENCE: AUD, JWT_KEY_FILE: keyFile },
      ),
    );
  });
  afterAll(() => g.stop());

  const get = (authorization?: string) =>
    httpRequest(`${g.url}/private/x`, { headers: authorization ? { authorization } : {} });

  it("lets a valid token through and leaves public routes open", async () => {
    expect((await get(`Bearer ${await hs("HS256")}`)).status).toBe(200);
    expect((await httpRequest(`${g.url}/public/x`)).status).toBe(200);
  });

  it.each([
    ["no header", async () => undefined, "missing_token"],
    ["another scheme", async () => "Basic dXNlcjpwYXNz", "bad_scheme"],
    ["garbage", async () => "Bearer not.a.jwt", "malformed_token"],
    ["two segments", async () => "Bearer abc.def", "malformed_token"],
    ["expired", async () => `Bearer ${await hs("HS256", claims({ exp: Math.floor(Date.now() / 1000) - 3600 }))}`, "token_expired"],
    ["not yet valid", async () => `Bearer ${await hs("HS256", claims({ nbf: Math.floor(Date.now() / 1000) + 3600 }))}`, "token_not_yet_valid"],
    ["wrong issuer", async () => `Bearer ${await hs("HS256", claims({ iss: "https://evil.test" }))}`, "bad_issuer"],
    ["wrong audience", async () => `Bearer ${await hs("HS256", claims({ aud: "someone-else" }))}`, "bad_audience"],
    ["no exp", async () => `Bearer ${await hs("HS256", claims({ exp: undefined }))}`, "missing_claim"],
    ["wrong secret", async () => `Bearer ${await hs("HS256", claims(), new TextEncoder().encode("x".repeat(40)))}`, "bad_signature"],
    ["alg none", async () => `Bearer ${new UnsecuredJWT(claims()).encode()}`, "alg_not_allowed"],
    ["another HMAC alg", async () => `Bearer ${await hs("HS512")}`, "alg_not_allowed"],
  ])("answers 401 with a reason code: %s", async (_name, header, reason) => {
    const r = await get(await header());
    expect(r.status).toBe(401);
    expect(r.json()).toEqual({ error: "unauthorized", reason, reqId: r.headers["x-request-id"] });
    expect(r.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
  });

  it("never reaches the upstream with a rejected token", async () => {
    const before = upstream.seen.length;
    await get("Bearer not.a.jwt");
    await get(`Bearer ${new UnsecuredJWT(claims()).encode()}`);
    expect(upstream.seen.length).toBe(before);
  });
});

describe("JWT auth, RS256 with a public key or a JWKS", () => {
  let pem: TestGateway;
  let jwks: TestGateway;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let spki: string;
  beforeAll(async () => {
    keys = await generateKeyPair("RS256", { extractable: true });
    spki = await exportSPKI(keys.publicKey);
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    const routes = [{ prefix: "/private", upstream: upstream.url, kind: "stream" as const, auth: true }];
    const env = { JWT_ALG: "RS256", JWT_ISSUER: ISS, JWT_AUDIENCE: AUD };
    pem = await startGateway(gatewayConfig(routes, { ...env, JWT_KEY_FILE: tempFile("key.pem", spki) }));
    jwks = await startGateway(gatewayConfig(routes, { ...env, JWT_KEY_FILE: tempFile("jwks.json", JSON.stringify({ keys: [jwk] })) }));
  });
  afterAll(async () => {
    await pem.stop();
    await jwks.stop();
  });

  const rs = (kid?: string) => new SignJWT(claims()).setProtectedHeader({ alg: "RS256", ...(kid ? { kid } : {}) }).sign(keys.privateKey);
  const get = async (g: TestGateway, token: string) =>
    httpRequest(`${g.url}/private/x`, { headers: { authorization: `Bearer ${token}` } });

  it("accepts a token signed by the private key", async () => {
    expect((await get(pem, await rs())).status).toBe(200);
    expect((await get(jwks, await rs("k1"))).status).toBe(200);
  });

  it("rejects algorithm confusion: HS256 signed with the public key as the secret", async () => {
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(spki));
    const r = await get(pem, forged);
    expect(r.status).toBe(401);
    expect(r.json()).toMatchObject({ reason: "alg_not_allowed" });
    expect((await get(jwks, forged)).json()).toMatchObject({ reason: "alg_not_allowed" });
  });

  it("rejects a token signed by another key, and an unknown kid", async () => {
    const other = await generateKeyPair("RS256");
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(other.privateKey);
    expect((await get(pem, token)).json()).toMatchObject({ reason: "bad_signature" });
    expect((await get(jwks, await rs("k2"))).json()).toMatchObject({ reason: "unknown_key" });
  });
});

describe("key file checks", () => {
  it("refuses a short HMAC secret and private key material", async () => {
    await expect(importVerificationKey("HS256", "short")).rejects.toThrow(/at least 32 bytes/);
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    await expect(importVerificationKey("ES256", await exportPKCS8(privateKey))).rejects.toThrow(/PEM public key/);
    await expect(importVerificationKey("ES256", JSON.stringify({ keys: [await exportJWK(privateKey)] }))).rejects.toThrow(/public keys only/);
  });
});
