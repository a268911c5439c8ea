import { formatDurationWords } from '../../lib/duration';

/**
 * When a screen reader hears the countdown (decision 003): when the warning opens, then each whole
 * minute above one minute, then at 45, 30 and 15 seconds, then at 10 and 5. Never every second.
 */
export function isAnnouncementStep(secondsLeft: number): boolean {
  if (secondsLeft > 60) return secondsLeft % 60 === 0;
  return (
    secondsLeft === 60 ||
    secondsLeft === 45 ||
    secondsLeft === 30 ||
    secondsLeft === 15 ||
    secondsLeft === 10 ||
    secondsLeft === 5
  );
}

/** The words spoken at a step: "Your session will end in 30 seconds." */
export function announcementText(secondsLeft: number): string {
  return `Your session will end in ${formatDurationWords(secondsLeft * 1000)}.`;
}
