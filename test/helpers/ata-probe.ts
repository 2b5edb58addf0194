/**
 * A port-level probe of the primary ATA channel, run two ways so rvos' channel can be compared
 * with QEMU 7.2's: as a boot sector on qemu-system-i386 (`probeAsm()`, nasm, printing every value
 * it reads to the 0xE9 debug console) and through rvos' device (`replayProbe()`), op for op. Every
 * value read is one line `LABEL: HEX` of the transcript. The disk is 2048 sectors (QEMU's guess:
 * 2/16/63); sector N >= 16 holds the 16-bit word N throughout (the boot code is in sectors 0-15).
 */

export type Op =
  | { op: 'label'; text: string }
  | { op: 'out'; port: number; value: number }
  | { op: 'in'; port: number; size?: 2 | 4 }
  | { op: 'inw'; port: number; count: number; print: number }
  | { op: 'ind'; port: number; count: number; print: number }
  | { op: 'outw'; port: number; count: number; value: number }
  /** Poll the alternate status until BSY clears (QEMU finishes I/O asynchronously). */
  | { op: 'wait' }
  /** The channel's INTRQ: slave 8259 IRR bit 6 (level-triggered through the ELCR) on QEMU. */
  | { op: 'irq' };

export const DISK_SECTORS = 2048;
const CMD = 0x1f0, CTL = 0x3f6;
const DATA = CMD, ERROR = CMD + 1, COUNT = CMD + 2, LBA0 = CMD + 3, LBA1 = CMD + 4, LBA2 = CMD + 5, DEVICE = CMD + 6, STATUS = CMD + 7;

const ops: Op[] = [];
const label = (text: string) => ops.push({ op: 'label', text });
const out = (port: number, value: number) => ops.push({ op: 'out', port, value });
const inb = (...ports: number[]) => ports.forEach((port) => ops.push({ op: 'in', port }));
const inWide = (port: number, size: 2 | 4) => ops.push({ op: 'in', port, size });
const inw = (count: number, print = count) => ops.push({ op: 'inw', port: DATA, count, print });
const ind = (count: number, print = count) => ops.push({ op: 'ind', port: DATA, count, print });
const outw = (count: number, value: number) => ops.push({ op: 'outw', port: DATA, count, value });
const wait = () => ops.push({ op: 'wait' });
const irq = () => ops.push({ op: 'irq' });
const taskFile = () => inb(STATUS, ERROR, COUNT, LBA0, LBA1, LBA2, DEVICE);
const lba28 = (cmd: number, lba: number, count: number) => {
  out(DEVICE, 0xe0 | (lba >> 24));
  out(COUNT, count);
  out(LBA0, lba & 0xff);
  out(LBA1, (lba >> 8) & 0xff);
  out(LBA2, (lba >> 16) & 0xff);
  out(STATUS, cmd);
};
const chs = (cmd: number, c: number, h: number, s: number) => {
  out(DEVICE, 0xa0 | h);
  out(COUNT, 1);
  out(LBA0, s);
  out(LBA1, c & 0xff);
  out(LBA2, c >> 8);
  out(STATUS, cmd);
};
const command = (cmd: number) => {
  out(STATUS, cmd);
  wait();
};

label('soft reset');
out(CTL, 0);
inb(STATUS);
out(CTL, 0x04);
inb(CTL);
out(CTL, 0);
wait();
irq();
taskFile();
irq();

label('absent slave');
out(DEVICE, 0xb0);
inb(STATUS, ERROR, COUNT, DEVICE, CTL);
out(STATUS, 0xec);
inb(CTL);
irq();
out(DEVICE, 0xa0);
inb(STATUS);

label('identify');
command(0xec);
irq();
inb(CTL);
irq();
inb(STATUS);
irq();
inw(256);
inb(STATUS);
inw(1);
inb(DATA);

label('read sectors 50-51');
lba28(0x20, 50, 2);
wait();
irq();
inb(STATUS, COUNT, LBA0);
inw(256, 2);
wait();
irq();
inb(STATUS, COUNT, LBA0);
inw(256, 2);
taskFile();

label('read past the end');
lba28(0x20, DISK_SECTORS, 1);
wait();
irq();
inb(STATUS, ERROR);
lba28(0x20, DISK_SECTORS - 1, 2);
wait();
inw(256, 1);
wait();
irq();
taskFile();

label('chs');
chs(0x20, 0, 0, 0);
wait();
inb(STATUS, ERROR);
chs(0x20, 1, 2, 3);
wait();
inw(256, 1);
taskFile();
label('initialize device parameters: 4 heads, 17 sectors');
out(DEVICE, 0xa3);
out(COUNT, 17);
command(0x91);
irq();
inb(STATUS, ERROR);
chs(0x20, 1, 2, 3);
wait();
inw(256, 1);
taskFile();
out(DEVICE, 0xaf);
out(COUNT, 63);
command(0x91);
inb(STATUS);

label('multiple');
out(COUNT, 3);
command(0xc6);
inb(STATUS, ERROR);
out(COUNT, 4);
command(0xc6);
inb(STATUS, ERROR);
lba28(0xc4, 100, 6);
wait();
irq();
inb(STATUS, COUNT, LBA0);
inw(1024, 1);
wait();
irq();
inb(STATUS, COUNT, LBA0);
inw(512, 1);
taskFile();

label('write sectors 200-201');
lba28(0x30, 200, 2);
wait();
irq();
inb(CTL);
outw(256, 0x1234);
wait();
irq();
inb(STATUS, COUNT, LBA0);
outw(256, 0x5678);
wait();
irq();
taskFile();
lba28(0x20, 199, 3);
wait();
inw(256, 1);
wait();
inw(256, 1);
wait();
inw(256, 1);
inb(STATUS);

label('write multiple 300-304');
lba28(0xc5, 300, 5);
wait();
irq();
outw(1024, 0xabcd);
wait();
irq();
inb(STATUS, COUNT, LBA0);
outw(256, 0xdcba);
wait();
taskFile();

label('lba48 read of sector 0x102, HOB');
out(COUNT, 0);
out(COUNT, 1);
out(LBA0, 0);
out(LBA0, 2);
out(LBA1, 0);
out(LBA1, 1);
out(LBA2, 0);
out(LBA2, 0);
out(DEVICE, 0x40);
command(0x24);
inb(STATUS);
inw(256, 1);
taskFile();
out(CTL, 0x80);
inb(ERROR, COUNT, LBA0, LBA1, LBA2);
out(CTL, 0);
out(COUNT, 0x12);
out(COUNT, 0x34);
out(CTL, 0x80);
inb(COUNT, DEVICE);
out(LBA0, 1);
inb(COUNT);

label('no-data commands');
for (const cmd of [0x40, 0x41, 0x42, 0x10, 0x70, 0xe7, 0xea, 0xe0, 0xe1, 0xe5, 0xf8, 0x27, 0x90]) {
  lba28(cmd, 5, 1);
  wait();
  irq();
  taskFile();
}

label('set features');
for (const [feature, count] of [[0x02, 0], [0x82, 0], [0x03, 0x0c], [0x03, 0x45], [0x03, 0x22], [0x03, 0x80], [0xaa, 0], [0x77, 0]]) {
  out(ERROR, feature);
  out(COUNT, count);
  command(0xef);
  irq();
  inb(STATUS, ERROR);
}
out(ERROR, 0x02);
command(0xef);
command(0xec);
inw(256);

label('commands a hard disk aborts');
for (const cmd of [0x00, 0x08, 0xa1, 0xa0, 0x50, 0xf0]) {
  command(cmd);
  irq();
  inb(STATUS, ERROR);
}

label('nIEN');
out(CTL, 0x02);
command(0xec);
irq();
inb(CTL);
ind(128, 2);
out(CTL, 0);
command(0x10);
irq();

label('busy: task file and commands ignored during DRQ');
lba28(0x20, 60, 1);
wait();
out(LBA0, 9);
out(STATUS, 0xec);
inb(LBA0, STATUS);
inw(256, 1);
inb(STATUS, LBA0);

label('byte and word accesses off the data register');
out(COUNT, 0x21);
out(LBA0, 0x43);
inWide(COUNT, 2);
inWide(ERROR, 4);
lba28(0x30, 400, 1);
wait();
out(DATA, 0x11);
out(DATA, 0x22);
inb(CTL);
outw(256, 0x3333);
wait();
inb(STATUS);
lba28(0x20, 400, 1);
wait();
inw(256, 2);
lba28(0x20, 60, 1);
wait();
inb(DATA, DATA);
inw(255, 1);
inb(STATUS);

label('soft reset with nIEN');
inb(STATUS);
out(CTL, 0x06);
out(CTL, 0x02);
wait();
irq();
taskFile();
out(CTL, 0);

export const probe: readonly Op[] = ops;

/** Sector N's contents (N >= 16): the word N everywhere. */
export function diskImage(): Uint8Array {
  const img = new Uint8Array(DISK_SECTORS * 512);
  const v = new DataView(img.buffer);
  for (let s = 16; s < DISK_SECTORS; s++) for (let i = 0; i < 512; i += 2) v.setUint16(s * 512 + i, s, true);
  return img;
}

/** Port accesses of the probe, however they reach the channel. */
export interface Ports {
  in(port: number, size: 1 | 2 | 4): number;
  out(port: number, size: 1 | 2 | 4, value: number): void;
  busy(): boolean;
  irq(): boolean;
}

/** Runs the probe; returns the transcript lines (`LABEL: HEX`). */
export function replayProbe(p: Ports): string[] {
  const lines: string[] = [];
  let at = '';
  const hex = (v: number, digits: number) => v.toString(16).padStart(digits, '0');
  for (const o of probe) {
    switch (o.op) {
      case 'label': at = o.text; break;
      case 'out': p.out(o.port, 1, o.value); break;
      case 'in': lines.push(`${at}: ${hex(p.in(o.port, o.size ?? 1) >>> 0, 2 * (o.size ?? 1))}`); break;
      case 'inw':
      case 'ind':
        for (let i = 0; i < o.count; i++) {
          const v = p.in(o.port, o.op === 'inw' ? 2 : 4);
          if (i < o.print) lines.push(`${at}: ${hex(v >>> 0, o.op === 'inw' ? 4 : 8)}`);
        }
        break;
      case 'outw': for (let i = 0; i < o.count; i++) p.out(o.port, 2, o.value); break;
      case 'wait': for (let i = 0; i < 1_000_000 && p.busy(); i++); break;
      case 'irq': lines.push(`${at}: irq ${p.irq() ? 1 : 0}`); break;
    }
  }
  return lines;
}

/**
 * The probe as a boot sector for qemu-system-i386 (nasm syntax): loads itself (INT 13h), makes IRQ
 * 14 level-triggered in the ELCR so the slave 8259's IRR shows INTRQ, runs the ops with interrupts
 * off, prints `HEX ` per value and `\n@LABEL\n` per label on port 0xE9, and exits through
 * isa-debug-exit at 0xF4.
 */
export function probeAsm(): string {
  const a: string[] = [];
  const labels: string[] = [];
  for (const o of probe) {
    switch (o.op) {
      case 'label':
        labels.push(o.text);
        a.push(`  mov si, label${labels.length - 1}`, '  call puts');
        break;
      case 'out': a.push(`  mov dx, ${o.port}`, `  mov al, ${o.value}`, '  out dx, al'); break;
      case 'in':
        if (o.size === 4) a.push(`  mov dx, ${o.port}`, '  in eax, dx', '  call hex32');
        else if (o.size === 2) a.push(`  mov dx, ${o.port}`, '  in ax, dx', '  call hex16');
        else a.push(`  mov dx, ${o.port}`, '  in al, dx', '  call hex8');
        break;
      case 'inw':
      case 'ind': {
        const wide = o.op === 'ind';
        a.push(`  mov cx, ${o.count}`, `  mov bx, ${o.print}`, `  mov dx, ${o.port}`, '1:', wide ? '  in eax, dx' : '  in ax, dx');
        a.push('  cmp bx, 0', '  je 2f', '  dec bx', wide ? '  call hex32' : '  call hex16', '2:', '  loop 1b');
        break;
      }
      case 'outw': a.push(`  mov cx, ${o.count}`, `  mov dx, ${o.port}`, `  mov ax, ${o.value}`, '1:', '  out dx, ax', '  loop 1b'); break;
      case 'wait': a.push('  call waitbsy'); break;
      case 'irq': a.push('  call irq'); break;
    }
  }
  // nasm has no numeric local labels: number them.
  let n = 0;
  const body = a.join('\n').replace(/^1:\n([\s\S]*?)  loop 1b/gm, (_m, inner: string) => {
    const id = n++;
    return `.l${id}:\n${inner.replace(/je 2f/, `je .s${id}`).replace(/^2:$/m, `.s${id}:`)}  loop .l${id}`;
  });
  return `bits 16
org 0x7c00
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  mov ax, 0x020f        ; read 15 sectors after this one to 0x7e00
  mov cx, 0x0002
  xor dh, dh
  mov bx, 0x7e00
  int 0x13
  cli
  mov dx, 0x4d1         ; ELCR2: IRQ 14 level-triggered
  in al, dx
  or al, 0x40
  out dx, al
  jmp main
puts:
  lodsb
  cmp al, 0
  je .done
  out 0xe9, al
  jmp puts
.done:
  ret
nibble:
  and al, 15
  add al, '0'
  cmp al, '9'
  jbe .ok
  add al, 7
.ok:
  out 0xe9, al
  ret
hex4:
  push ax
  shr al, 4
  call nibble
  pop ax
  call nibble
  ret
hex8:
  call hex4
  mov al, ' '
  out 0xe9, al
  ret
hex16:
  push ax
  mov al, ah
  call hex4
  pop ax
  call hex8
  ret
hex32:
  push eax
  shr eax, 16
  push ax
  mov al, ah
  call hex4
  pop ax
  call hex4
  pop eax
  call hex16
  ret
waitbsy:
  push ecx
  mov ecx, 0x10000000
.w:
  mov dx, ${CTL}
  in al, dx
  test al, 0x80
  jz .d
  dec ecx
  jnz .w
.d:
  pop ecx
  ret
irq:
  mov al, 0x0a
  out 0xa0, al
  in al, 0xa0
  shr al, 6
  and al, 1
  add al, '0'
  push ax
  mov al, 'i'
  out 0xe9, al
  pop ax
  out 0xe9, al
  mov al, ' '
  out 0xe9, al
  ret
  times 510-($-$$) db 0
  dw 0xaa55
main:
${body}
  mov al, 0
  out 0xf4, al
  hlt
${labels.map((t, i) => `label${i}: db 10, '@', ${JSON.stringify(t).replace(/"/g, "'")}, 10, 0`).join('\n')}
  times 16*512-($-$$) db 0
`;
}

/** Parses QEMU's debug-console transcript into the lines `replayProbe` gives. */
export function parseTranscript(text: string): string[] {
  const lines: string[] = [];
  let at = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('@')) {
      at = line.slice(1);
      continue;
    }
    for (const t of line.split(' ').filter(Boolean)) lines.push(`${at}: ${t.startsWith('i') ? `irq ${t.slice(1)}` : t.toLowerCase()}`);
  }
  return lines;
}
