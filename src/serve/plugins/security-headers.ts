// Security headers on every response (@fastify/helmet): a CSP the dashboard (web/: same-origin scripts,
// styles and fetches, inline SVG) works under, no framing, nosniff, no referrer. HSTS is left to the TLS
// terminator in front of the service, which is the only party that knows the service is reached over HTTPS.
import helmet from "@fastify/helmet";
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

async function securityHeadersPlugin(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
    hsts: false,
  });
}

export default fp(securityHeadersPlugin, { name: "seqrank-security-headers", fastify: "5.x" });
