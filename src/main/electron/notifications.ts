import { Notification } from 'electron';

/** Desktop notification; silently does nothing where the OS does not support them. */
export function notify(title: string, body: string, onClick?: () => void): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({ title, body });
  if (onClick) notification.on('click', onClick);
  notification.show();
}
