import { absoluteUrl, userOf, type Handler } from './http.ts';

export const basicCredentials: Handler = async (req, res, ctx) => {
  res.json(await ctx.auth.loginBasic(req.headers.authorization, req.ip ?? 'unknown'));
};

export const oidcProviders: Handler = (_req, res, ctx) => {
  res.json({
    providers: ctx.config.oidcProviders.map((p) => ({
      id: p.id,
      issuer: p.issuer,
      title: p.title,
      scopes: p.scopes,
      ...(p.defaultClientId
        ? { default_clients: [{ id: p.defaultClientId, grant_types: ['urn:ietf:params:oauth:grant-type:device_code+pkce', 'refresh_token'] }] }
        : {}),
    })),
  });
};

export const me: Handler = (req, res, ctx) => {
  const user = userOf(req);
  res.json({
    user_id: user.id,
    name: user.name,
    ...(user.email ? { email: user.email } : {}),
    budget: null,
    links: [{ href: absoluteUrl(ctx, '/jobs'), rel: 'related', type: 'application/json', title: 'Batch jobs' }],
  });
};
