/** Who did something: a key (its id and a readable name), or keyscope itself. */
export interface Actor {
  id: string;
  name: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'keyscope' };
