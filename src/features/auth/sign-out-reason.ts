/** Why the user is on the login page after having been signed in. */
export const signOutReasons = ['idle', 'expired', 'signed-out', 'other-tab', 'absolute'] as const;
export type SignOutReason = (typeof signOutReasons)[number];

export function isSignOutReason(value: string | null): value is SignOutReason {
  return (signOutReasons as readonly (string | null)[]).includes(value);
}
