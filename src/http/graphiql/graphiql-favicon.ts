/**
 * careslot's icon: a calendar page with a tick. The page links the SVG; `/favicon.ico` (which
 * browsers ask for on their own) answers an ICO holding a 32×32 PNG of the same drawing.
 * Both live here, in code, so that the build needs no extra files copied next to it.
 */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="7" fill="#0f766e"/>' +
  '<rect x="6" y="8" width="20" height="18" rx="3" fill="#fff"/>' +
  '<rect x="6" y="8" width="20" height="6" rx="3" fill="#5eead4"/>' +
  '<rect x="6" y="11" width="20" height="3" fill="#5eead4"/>' +
  '<rect x="10" y="5" width="3" height="6" rx="1.5" fill="#fff"/>' +
  '<rect x="19" y="5" width="3" height="6" rx="1.5" fill="#fff"/>' +
  '<path d="M11 20l3.2 3.2L21 16.6" fill="none" stroke="#0f766e" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/>' +
  '</svg>';

/** FAVICON_SVG rendered at 32×32 with a transparent background (Chromium, omitBackground screenshot). */
const FAVICON_PNG_32_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAADQklEQVR4nMSX20sUURzHv2d2bfGyqz6secWuIJoogXnJIiGyCyqY3fOClmUpGEVF9AcY' +
  'FZpKGZho0OXBh0wji24PGWY9WCkViJmQmD6oq+Kuu810zqxru6vTzm7b+oHDOWd+v/P7/ubMOTNnlLCmvDxA4/XrFG0l0RJPCAmCGxAEYYRW3bR06oyK' +
  'SlRVjVtsxNLQnCvdAYHUE5BQ/EcECEMgwhHdpdrH8wlQ8XQicO3wIALhd7IkiP/5kkCB9+qlmYTAg4gzYVTGcgKvzPe0OEN81F6mPIUqJbGcLrZ1jgac' +
  'SN2CpsOFbEHh3eCAyz42CJjgiHnFO6Q8bStC/f3F+l98rGHaShASKcc5yE9tU7vqY5sBiVRK2cK0WmTmZEDnuwxT4G1sWWeK4Qjm4wcOmulZPGxuxY/R' +
  '0UX9OKkAmXuzMOSrXCDuDGwsi8FiSSGZwJiP7eS81I9hRuDFWgopH/tY1khaWCBrGieHxPI3pHzsY1kjOQOeYskTkHwETdoYuJMAietunQGevgGrXj3H' +
  'lRdPZY9Rwk2YeB5FdxvR8umD2N+8ei02RK50OM4tCRhMJhy6XY9nXz+L/ejgEMSFRcgaKzuBzoF++uYkSLS7qxmjEXsa6vC6v0/sxwSH4tHxMqiU8kLL' +
  '8uobHcH2G9fEdk3OAeQmmL9fOr0e2beu4/3gd7EftTxYFA/w9oFcnH4EZc33xHpXTCwybtaid9j84okNCUPrsVKnxBmydsEabRCqc/bbJJFSWTEvHhca' +
  'TsXLnBaXnQAjLyEZDQfzwRHzOXZYpxPr+PAItBSzO/eGK0gmMKGfWXAtO2497hcUw0uh+CN+9KRD8cViWZBcA2xL7aaC9myLikbX6Qt0v3ejKHkT1CoV' +
  'HGHZnouhUG1MLKGT6mdv6PzWD61ajSC1Br7LbEUCfXyQtGKVw602MjWJ1p6PuNj2ANOzswvsAvCTaM6WtdMTajqWAHo0f8IOpd1YIpg2Z+AUdTSVcXga' +
  'qsm0OX1F1QAvoBAehmoWMG1xP82+eftFlZrQRZtpdD3IPFO7xtzP6b7JyzVtrK+wGAwdXX2GhJQGFcez5WqgRU0/Pr5wA3O/5x203KG/57mGq9U9Fttv' +
  'AAAA//+dg9s/AAAABklEQVQDAAmCIxMTzN21AAAAAElFTkSuQmCC';

/** An ICO file with one 32×32 PNG image (the PNG-in-ICO form every current browser reads). */
export function faviconIco(): Buffer {
  const png = Buffer.from(FAVICON_PNG_32_BASE64, 'base64');
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(32, 6); // width
  header.writeUInt8(32, 7); // height
  header.writeUInt8(0, 8); // no palette
  header.writeUInt8(0, 9); // reserved
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14); // image size
  header.writeUInt32LE(header.length, 18); // image offset
  return Buffer.concat([header, png]);
}
