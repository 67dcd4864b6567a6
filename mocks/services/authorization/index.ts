/**
 * Microsoft.Authorization in the mock: registers `answer.ts` (role assignments, role
 * definitions and deny assignments, filtered by scope and principal as ARM filters them) with the
 * core. It answers after the world's canned answers, which a snapshot may hold for these lists.
 */
import type { MockService } from '../../core/index.js';
import { json } from '../../core/index.js';
import { createAuthorizationMock } from './answer.js';

export const authorization: MockService = {
  name: 'authorization',
  register(app) {
    const mock = createAuthorizationMock(app.world);
    app.route({
      method: '*',
      path: /\/providers\/microsoft\.authorization\//i,
      afterCanned: true,
      handle: (req) => {
        const answer = mock.answer(req.method, req.key, req.url, req.origin, app.pageSize);
        return answer && json(answer.status, answer.body);
      },
    });
  },
};
