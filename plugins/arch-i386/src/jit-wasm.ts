/**
 * The i386 block translator (jit.ts) with WebAssembly as its target instead of JavaScript (the
 * default; RVOS_JIT_WASM_I386=0 keeps the JavaScript regions), for a CPU whose RAM is a wasm memory
 * (the arch then declares `wasmRegions`; src/core/bus.ts createRam: not with RVOS_JIT_WASM=0 nor in
 * a process started for huge pages, whose CPUs then run jit.ts's JavaScript regions). Same blocks
 * and regions (a block follows the fall-through path from a byte reached by a control transfer; a
 * region is the blocks of one page its blocks reach that ran REGION_MEMBER_RUNS times), same entry
 * points (jit.ts Block), same exit protocol (cpu.eip, counts; 1 returned = the interpreter runs the next instruction), so
 * cpu.ts runBlock and the code cache cannot tell them apart.
 *
 * The CPU's area in the wasm memory (AREA) holds its eight registers and segment bases (cpu.regs and
 * cpu.segBase are views of it, so nothing is copied per call), the MMU's fast TLB (mmu.ts fastTlb,
 * a view too: paging works as in the JavaScript blocks), and the lazy-flag state, which the JS
 * wrapper (boundWasm's copyingState) copies in before a call and leaves there for the next one, runBlock
 * copying it back to the CPU's fields (flagsFromArea) before anything else reads it. A region is one function
 * `run(eip, maxSteps, at) -> steps`: registers and flag state in locals, the blocks under one
 * `br_table` on the block number (as jit.ts's `switch (cur)`; a jump to a later block branches to it
 * directly), each block a wasm `loop` so that a jump back to its own start is one `br` (and a jump
 * back to a later instruction of it, as jit.ts backEdge, an inner `loop`). The flag state known at
 * translation time (Known, as jit.ts) lets Jcc/SETcc/CMOVcc/ADC/SBB test operands directly; under an
 * unknown one the carry is flags.ts carryAfter's formulas inline, a condition asks the host
 * (jit-flags.ts condOf: the interpreter's answer). Loads and stores go through the fast TLB as
 * jit.ts's, each access form of a block remembering its last page (site()); anything off the fast
 * path, a DIV that would fault, and every instruction not translated leave before the instruction
 * (which has changed nothing yet) for the interpreter, so faults are exact. A store to a page with
 * flags calls the host (cpu.ramWritten) and leaves after the instruction when a translation went.
 *
 * Measured on the compute kernel (kernels/bench bench-i386.elf, 600 M instructions, loaded 2-core
 * VM, JavaScript and wasm interleaved): in process (test/bench/i386-profile.ts --runs 3), main-thread
 * CPU of the first run 0.67-0.85 s (JS) vs 0.58-0.70 s (wasm), best of 3 runs 0.39-0.56 vs
 * 0.36-0.42 s; the built CLI's run (6 pairs), wall best 1.24 vs 1.00 s (the empty guest 0.40-0.44 s),
 * user CPU median 1.34 vs 1.11 s. 99.97 % of the instructions ran in wasm (200 K interpreted); the
 * first run's extra cost is mostly V8's: 48 modules compiled and instantiated (60-90 ms under the
 * profiler), the encoder, and JS-to-wasm calls through V8's generic wrapper. The pc os boot: equal
 * (main thread 0.48-0.53 s vs 0.54-0.56 s JS, 2 pairs).
 *
 * A block's first translation (at JIT_THRESHOLD) takes the page's warm starts (jit.ts warmStarts)
 * into its module, as blocks that go to each other directly (generateWasmBlocks; cpu.ts stores them
 * as aliases, and a hot region counts them as run, the dispatcher not seeing them): V8 spends about
 * 1 ms on each module. Those blocks are emitted in one pass, their lengths patched into the budget
 * checks at their ends; a loop found inside one has its code emitted once more from its head with it known. A
 * region's blocks are scanned first (collectRegion needs their targets). Measured with the built CLI
 * (main-thread CPU in the translator, interleaved runs, loaded VM): one-pass blocks, compute kernel,
 * emitting median 34 -> 27 ms, with compiling and instantiating 112 -> 95 ms (6 runs); warm starts
 * then 48 -> 24 modules, translation 100 -> 78 ms (5 pairs), block calls 82518 -> 43963; the pc os
 * boot 102 -> 55 modules, 178 -> 155 ms (4 pairs, in process), its main thread equal (0.52 vs 0.51 s);
 * the i386 Linux boot to its power-off (RVOS_HUGE_PAGES=0: wasm RAM, 3 pairs) 1505 -> 407 modules,
 * translation 1.87 -> 1.18 s, main thread 4.0 -> 3.3 s (a warm heat of 40 instead of 16: about the same).
 * With the core's faster module assembly (wasm-module.ts wasmModule), the built CLI's compute run
 * against session 23's (10 interleaved pairs, load ~5): user+sys median 0.93 -> 0.885 s (lower in 9
 * pairs), best 0.90 -> 0.84 s; wall median 1.385 -> 1.285 s.
 *
 * The flag state's op, width, arithmetic flags and kept carry share one local (`cs`, packState),
 * the operands three more: a loop that sets flags carries 4 values from pass to pass instead of 7,
 * and V8 sinks the constant parts to the exits. On the compute kernel's TurboFan code
 * (`--print-wasm-code`, 30 functions): stack stores 4298 -> 3363, code 120.4 -> 117.1 KB; in process
 * (i386-profile.ts --runs 4, 10 interleaved pairs, loaded VM) the steady state's main thread best of
 * runs 2-4 median 0.330 -> 0.324 s (within the noise), the first run 0.558 -> 0.554 s; the pc os boot
 * equal (0.461 vs 0.462 s, 3 pairs).
 *
 * Session 25, the steady state (TurboFan's code of quicksort's inner loops, ~35 host instructions a
 * pass of 4 guest ones, 7-10 of them stores of loop-carried values to its stack): ADD/SUB/CMP/NEG/
 * INC/DEC leave the state's result local unwritten (CS_LAZY_R: it is the operands' sum or
 * difference); an INC/DEC's kept carry under a state known only at run time is a branch of its own
 * (memset's `inc esi; dec ecx; jnz` computed every formula, ~70 instructions a pass); the access
 * sites' page memos live in the area, not in locals (site()). The j-loop then took ~20 instructions a
 * pass, no store. In process (i386-profile.ts, interleaved pairs, loaded VM, best of runs 2-N): 0.336
 * -> 0.324 s (4 pairs), 0.361-0.408 -> 0.304-0.342 s (3 pairs), 0.295-0.316 -> 0.287-0.291 s (3 pairs,
 * runs 8) for the three steps. Second round: an INC/DEC whose next instruction in the block sets
 * every flag from registers (flagsOverwrittenNext: quicksort's `inc ecx; cmp edx, eax; jb` and its
 * DEC twin) computes no kept carry; under a state known only at run time (the loop head) that was a
 * branch whose compare TurboFan kept on every pass (3 of the i-loop's ~27 host instructions). In
 * process (--runs 4, best of runs 2-4, 6 interleaved pairs, load ~5): median 0.291 -> 0.282 s (lower
 * in 4); the built CLI's run, user+sys medians 0.875 -> 0.85 s and 0.855 -> 0.86 s (2 series of 8
 * pairs: within noise); the pc os boot equal (main thread median 0.465 vs 0.462 s, 3 pairs).
 *
 * Left (the i-loop's ~24 host instructions a pass): 5-6 stores to TurboFan's stack (the loop-carried
 * registers and the flag operands ca/cb/cs, spilled at their definitions), the page memo's check (8),
 * the budget (4) and V8's stack check (3).
 *
 * Session 26: a loop inside a block whose head follows another known flag state than its back edge
 * leaves (`xor ebx, ebx` before matmul's k-loop ending `add eax, 4; jne`, 6 loop heads of the compute
 * kernel) was no loop: each pass left through the dispatcher until a region took it (~4000 calls each
 * of matmul's and quicksort's pairs of blocks). Such a loop drops the known state at its head (as at
 * a block's start: the locals hold the state at every boundary). Compute kernel: block calls 43963 ->
 * 36457, same instructions; in process (i386-profile.ts --runs 3, two series of 8 interleaved pairs,
 * load 6-7, main thread CPU) steady state (best of runs 2-3) medians 0.3145 -> 0.2975 s and 0.306 ->
 * 0.2795 s (lower in 13 of 16 pairs), first run equal (0.5585 -> 0.5475 s, 0.526 -> 0.5315 s); the
 * built CLI's run (8 pairs) CPU median 0.904 -> 0.877 s (lower in 5); the pc os boot equal (163123 ->
 * 163109 block calls, main thread 0.507 vs 0.498 s, 4 pairs).
 *
 * Session 28, the steady state (test/bench/i386-jit.ts: the kernel run N times in one process): the
 * flag state's locals (ca, cb, cs) were loop-carried values wherever a loop's instructions before its
 * flag setter could leave (a load's TLB miss in quicksort's `mov edx, [ecx*4 + a]; inc ecx; cmp edx,
 * eax; jb`, the sieve's `mov byte [ecx + a], 0; add ecx, eax; cmp ecx, esi; jb`), TurboFan storing them
 * to its stack on every pass (3 stores a pass; dropping those exits' flags, wrongly, was worth 6 % of
 * the steady state). Such a loop is rotated (rotation): its wasm `loop` opens at the instruction that
 * sets every flag, the instructions before it emitted before the loop and again at the back edge with
 * the state known there (34 loops of the kernel). And `slow` (a store asked to leave after its
 * instruction) is cleared at each store: a value a loop carried, TurboFan stored and reloaded it on
 * every pass of a loop with a store. Compute kernel in process (--runs 4, best of runs 1-3, 4
 * interleaved pairs, load ~5): median 279.8 -> 272.4 ms (lower in 4); its quicksort alone (a build
 * running one kernel) 187.2 -> 180.7 ms (lower in 5 of 5); its sieve alone equal (99 vs 102 ms, noise).
 * A loop with no instruction setting every flag whose instructions before its back edge's jump set
 * some (memset's `mov [esi], dl; inc esi; dec ecx; jnz`: its state known at the jump whatever it was
 * entered with) is rotated at that jump: the INC's kept carry then comes from the DEC's known state
 * instead of a branch on the state's op every pass (rotated loops of a run 34 -> 35). The kernel's
 * sieve alone (best of runs 1-4, 2 series of 6 interleaved pairs): medians 104.7 -> 96.8 ms (lower in
 * 4) and 102.6 -> 98.2 ms (lower in 6); the compute kernel 303.4 -> 287.7 ms (5 pairs, lower in 4,
 * load ~5.5).
 * A store that is its instruction's last effect (MOV, SETcc, NOT) leaves right after the host's
 * `written` asks, no `slow` test after it: the sieve alone (best of runs 1-4, 4 pairs) median 106.1 ->
 * 100.2 ms (lower in 4), the compute kernel (5 pairs) 285.7 -> 282.1 ms (lower in 4).
 * DIV/IDIV divide once (the remainder is EAX less the quotient times the divisor, not a second i64
 * division): the kernel's divhash 256 times (a build with ROUNDS 256) 116.6 -> 111.1 ms (6 pairs, lower
 * in 6); with a 32-bit division besides when EDX:EAX is EAX extended (after `xor edx, edx`, `cdq`)
 * 108.8 -> 104.6 ms (5 pairs, other load): no clear gain for its branch, left out.
 *
 * Session 29: a jump to a small block of the region (INLINED_MAX instructions, no loop inside) whose own jumps
 * all go to the jumping block or later ones (or leave) emits that block's code there when that saves a pass
 * through the br_table (Gen.inlines): quicksort's `mov edx, [ebp-0x10]; cmp edx, edi; mov esi, edi; jg`,
 * which falls into the scans that jump back to it, went through the dispatch (every local merged there) on
 * every swap; with its code at their jumps the partition loop is the scans' block's own `loop`
 * (12 inlined blocks a run). The kernel's quicksort alone (a build running one kernel, i386-jit.ts --runs 4,
 * main thread best of runs 2-4, 8 interleaved pairs, load 2-4): median 154.5 -> 145.5 ms (lower in 8).
 * A RET tests the region's return sites first (Scanned.returns) and branches to a later block directly
 * (quicksort's returns to `call`'s next block, ~0.9 M a run, went through the dispatch after up to 10
 * compares): quicksort alone (6 pairs, load 5-8) median 144.5 -> 139 ms (lower in 5), the compute kernel
 * (8 pairs) 238.5 -> 236 ms (lower in 5: noise). The two together on the compute kernel (10 pairs, load ~7):
 * 266 -> 246.5 ms (lower in 9); passes through the br_table a run (a counter per jump, a test build) 7.55 M
 * -> 3.57 M; the first run (6 pairs) equal within noise. Tried and dropped: a region block running on through
 * other blocks' starts where that makes a loop of its own (the partition loop in the region of the scans'
 * starts, `1005b0`-`1005f4`, which a slice ending inside a scan enters and which still dispatches ~0.55 M
 * times a run): TurboFan spilled the pivot and the budget inside the scans then, quicksort alone 145.5 ->
 * 159 ms (6 pairs); inlining a block whose CALL goes back (quicksort's `jge` to `mov ecx, edx; mov edx, esi;
 * call`): 145 -> 149.5 ms (6 pairs); a RET to its own block's start by that block's loop (fib's): fib alone
 * 16.5 -> 18.5 ms (10 pairs, higher in 6).
 *
 * Session 30, the steady state by kernel (kernels/bench built with one kernel each; i386-jit.ts, main thread best of
 * runs 2-4) against rv32's and aarch64's of the same C: quicksort 132-136 ms (rv32 122, aarch64 121), sieve 68-71 (55,
 * 372-445), crc32 22 (19, 21), matmul 18-22 (7-18, 10-18), fib 9-21, divhash 8-10 (7, 6-12). Two cuts, both in the
 * sieve: memset's `inc esi; dec ecx; jnz` carried `cs` through shift, and, or, and, or a pass (the INC's kept carry
 * extracted from the DEC's state and masked back in: keptCarry keeps the bit, one and/or): sieve alone median 68.5
 * -> 60 ms (10 pairs, lower in 9); CMOVcc a `select` (its count loop's `cmove esi, ebx` on primality was a
 * mispredicted branch): 66 -> 61 ms (10 pairs, lower in 9). Compute kernel, both (10 pairs, load ~7): 265 -> 243.5 ms
 * (lower in 7); the built CLI's compute run (12 pairs, load ~6.5): user+sys median 0.780 -> 0.770 s (lower in 8), wall
 * 0.790 -> 0.770 s (lower in 7). Tried and dropped: V8's --no-wasm-stack-checks (the loops' stack checks: no gain, 4 runs each),
 * --no-wasm-loop-unrolling (slower, ~+10 ms); each exit storing the registers itself instead of the one epilogue
 * doing it (the count loop spills EAX, EDX, ESI to TurboFan's stack a pass and copies one spill slot to another: the
 * epilogue's merge of every exit's values): sieve 56 -> 62.5 ms (8 pairs, lower in 2), compute kernel no gain; the
 * budget as one count-down local instead of steps and maxSteps (one value fewer in the loops): compute kernel 236 vs
 * 234 ms (10 pairs, lower in 5), quicksort alone 152 vs 154 ms (lower in 3), sieve 59 vs 56 ms (8 pairs, lower in 5).
 *
 * Session 31, the built CLI's compute run (main-thread CPU from /proc/thread-self/schedstat at each translation, loaded
 * 2-core VM): the first of the kernel's 16 rounds (37.3 M instructions) takes 95-125 ms of it after the first translation,
 * a later round ~13 ms: module generation 15-30 ms (the first translation 16-29 ms, cold), module compiles 5-8, instances
 * 2-10, ~36 K instructions interpreted, the rest wasm in Liftoff code and its lazy compiles. TurboFan helps little in that
 * round: with V8's --liftoff-only its main-thread CPU is the same (medians 121 vs 125 ms, 4 runs each) while the process
 * spends ~65 ms less (253 vs 188 ms: TurboFan's tier-up compiles; single-threaded, the run's 21 modules take ~125 ms
 * of TurboFan, the quicksort region 23-40 ms of it, 61 % register allocation, 10 % loop peeling). Before that region
 * tiers up, quicksort
 * runs its Liftoff code ~1.8x slower (--liftoff-only steady state 420 vs 233 ms). Tried and dropped: a block alone going on
 * past its loop's exit as a region's does (jit.ts scanBlock's rule, for JavaScript's type feedback): still 21 modules,
 * bigger, and 3.4x the instructions interpreted at slice ends (23.7 K -> 81 K a run); the loop's exit (quicksort's
 * 5f4 after 5b0, 243 after 230) as a warm start of the module: quicksort's region became block modules (main thread
 * 0.44 -> 1.5 s); warm heat at an eighth of JIT_THRESHOLD: the same 21 modules.
 *
 * Session 32, the steady state by kernel (i386-jit.ts, main thread best of runs 2-4, one build per kernel, loaded VM):
 * quicksort alone ~137 ms (median of 8) against rv32's 116-126 for the same C (318 M vs 245 M guest instructions); the
 * sieve equal (65 vs 65). perf (--perf-basic-prof) puts ~85 % of quicksort's time in its region's TurboFan code, the scans' loops
 * unrolled twice, ~13 host instructions a pass, most samples after the loops' data-dependent exits (mispredicts). An
 * access site's memo hit was an unhinted `if`: TurboFan laid the TLB refill inline and jumped over it to the hit on
 * every access; the hit is now likely (the refill deferred). Compute kernel (10 interleaved pairs, load ~5): steady
 * state median 220.5 -> 215 ms (lower in 8), first run 304 -> 296 ms (lower in 8); quicksort alone equal (8 pairs); the
 * pc os boot equal (main thread 0.6215 vs 0.614 s, 10 pairs, lower in 6); TurboFan's CPU for the run's modules equal
 * (87.6 vs 92.2 ms, 12 rounds). The built CLI's compute run shows no gain (three series, load 6-9 then ~6: user+sys
 * medians 1.050 -> 1.065, 0.835 -> 1.035, 0.750 -> 0.745 s; lower in 13 of 38 pairs, wall in 14): to confirm on a quiet machine.
 * Tried and dropped: the refill (TLB lookup, alignment, memo fill) as one wasm function per CPU in its host table
 * (slot 2, call_indirect) instead of inline at each site: module bytes of the compute run 75.5 -> 66.2 KB, TurboFan CPU
 * compiling them (--single-threaded --no-liftoff --no-wasm-lazy-compilation, 10 interleaved rounds) median 91.5 ->
 * 82 ms (lower in 8), but the run itself equal (steady 222 vs 226 ms, 12 pairs, lower in 5; first run main thread
 * 312 vs 311 ms, 14 pairs, lower in 5) and the pc os boot's main thread 0.4975 -> 0.529 s (16 pairs, lower in 7).
 * Likely hints on the loops' budget checks (an inner loop's back edge, a block's jump to its own start): compute
 * kernel steady state 226.5 -> 249 ms (10 pairs, lower in 5), first run 348 -> 376 ms (lower in 3).
 *
 * Session 33, loads in the flat window (I386Mmu.flatWindow: paging off, A20 high, no data breakpoint nor watcher, the
 * longest run of RAM pages with no hole, the pc's RAM above 1 MiB): one compare of the linear address against the
 * window (its length an input of the call, AREA.flat, 0 when closed), RAM at the address less RAM's base, before the
 * memo (quicksort's scans load `[ecx*4 + a]` on each pass: the memo's two loads, mask, compare and add were ~7 of
 * its ~16 host instructions). Only in code translated while the window is open (an OS's code, translated with paging
 * on, would test it in vain). Host instructions of the built CLI's run (hostinsns.sh, 3 pairs, spread < 0.5 %): the
 * compute kernel 4.498 -> 4.230 G (the empty guest 0.848 G: its compute 3.65 -> 3.38 G, -7 %), a build running
 * quicksort alone 2.922 -> 2.746 G. In process (i386-jit.ts --runs 4, main thread best of runs 2-4, 3 interleaved
 * pairs, loaded VM): compute kernel medians 225 -> 208 ms, first run 323 -> 306 ms; quicksort alone 156 -> 143 ms.
 * The pc os boot to its prompt (33.1 M instructions, hostinsns.sh): 3.984 G (median of 4, one outlier 4.128) -> 4.028 G
 * (4 of 4 within 0.1 %), +1.1 %; the same with no flat path emitted at all (4.021-4.062 G, 2 runs) and with the length
 * a field the MMU keeps instead of computed at each call (I386Mmu.flatLoads, kept: 4.016-4.051 G, 2 runs): neither the
 * window's code nor its per-call cost; the cause is not found (the build's other differences: Gen's extra local and
 * branch, mmu.ts's watcher accessor?). The i386 Linux boot to its power-off equal (user+sys medians 7.93 vs 7.67 s,
 * 3 pairs, load ~15).
 * Measured before as upper bounds (hacks): flat DS/SS bases as constants -1.3 % of the quicksort build's host
 * instructions; no budget check in inner loops +0.8 % (TurboFan's code got worse).
 *
 * Session 34, the translator's main-thread cost in a new process (the compute kernel's first round). Measured with
 * process.cpuUsage() around the calls in translateWasmRegion (a patched copy of the built CLI; --cpu-prof is no guide
 * on the loaded 2-core VM: its samples go on while the main thread waits for a core, and it put 17 ms in uleb() under
 * encodeHints, which takes 0.2-0.4 ms). The first translation (4 blocks, 66 instructions) takes 10-15 ms, the same
 * again in that process 2-4 ms, a third time ~0.8 ms: the cost is V8's first runs of each path (its interpreter, inline
 * caches and feedback filling), so emitting less does not cut it where a later emission then runs the path first.
 * The scan wrote its blocks' code into a scratch function: a WasmCode subclass writing nothing halved the scans
 * (median 10.8 -> 4.6 ms, 8 pairs) but the region generation paid it back (8.3 -> 14.6 ms: Gen's call sites then saw
 * two classes); dropped. Kept: the scan's function is a WasmCode that is `dry` (the same class, its writers returning
 * at once: labels, locals and branch checks as before), one scanning Gen for a region's blocks, and WasmCode's frequent
 * forms (i32, get, set, tee, mem, op, br, br_if, block, loop, if, else, end) writing their bytes without calling
 * byte(), uleb() and sleb() (wasm-module.ts). Same module bytes (the compute run's 18, the pc os boot's 57; rv32's 38
 * and aarch64's 23 compute modules too). The compute run under --single-threaded (process CPU is then the main
 * thread's, TurboFan's JavaScript compiles included; 12 interleaved pairs, load ~6): block modules median 21.2 -> 18.7 ms
 * (lower in 10), scans 10.0 -> 6.0 (lower in 11), region generation 8.1 -> 10.3 (lower in 3: the paths the scans no
 * longer run first), the three 41.2 -> 36.7 ms (lower in 11); without the flag (14 pairs, process CPU with V8's other
 * threads) 28.5 -> 25.8 ms (lower in 10). Host instructions of the compute run equal (medians 4.184 vs 4.175 G, 4
 * pairs); the pc os boot's translation within noise (7 pairs, load 6-9, the compile time it does not touch moving +33 %).
 *
 * Session 34, the code of quicksort's region once (regionScan): its block of 583 (the pivot) followed its `jmp 5b9` into
 * the partition loop, scans and swap to the `jmp 5b0`, and its block of 5b0 fell into the same 36 instructions (5b9 is
 * no hot start: cpu.ts joinRegion leaves out a start another region's block runs into), both scans' loops in each. Where
 * two blocks' paths join (an instruction both hold after another instruction in each, neither's start: joinOf) the
 * region now has a block of its own, and the blocks end there (583's after 15 instructions, 5b0's after 4, which the
 * block of 5b9 emits at its two jumps back, Gen.inlines: the partition loop is that block's own `loop`). The scan is
 * redone for the blocks that reach the join only. No join where a block would end inside a loop of its own, its head
 * before the join (cutsLoop: the jump back would go to no block), nor where the code after it holds no loop (loopsAfter:
 * the i386 Linux boot made 21 joins, its modules 2831893 -> 2825728 bytes, but its main thread rose in 5 of 6 pairs,
 * medians 2943 -> 3053 ms and 2835 -> 2891 ms; with loops only, 3 joins, its modules 2852454 bytes: its later regions
 * formed from other blocks, one 10265 -> 32462 bytes; main thread 4105 vs 4072 ms, 3 pairs, load ~10: not settled;
 * the pc os boot 1 join, 186944 -> 185353 bytes, block calls 139528 vs 139529). A region block running on past a
 * loop's exit into a hot start (the sieve's 230 into 254, jit.ts scanBlock's rule) is no join: the paths meet at that
 * start. Compute kernel: quicksort's region 131 -> 94 block instructions, 12332 -> 10606 bytes (the run's 18 modules 54246 -> 52520 bytes); TurboFan
 * compiling it (--single-threaded --no-liftoff --no-wasm-lazy-compilation, 10 interleaved rounds) median 39.6 ->
 * 33.1 ms (lower in 10); host instructions of the built CLI's run (host-insns.sh, interleaved) 4.204, 4.204, 4.229,
 * 4.217 -> 4.144, 4.165, 4.155, 4.160 G (medians 4.211 -> 4.158 G, -1.3 %, lower in 4 of 4 pairs; the compute less the
 * empty guest's ~0.85 G, -1.6 %); in process (i386-jit.ts 4 runs, main thread, 8 interleaved pairs, load ~6-8) first
 * run median 326.5 -> 320.5 ms (lower in 5), steady state (best of runs 2-4) 221.5 -> 213 ms (lower in 6) (these
 * figures with joins at loops and straight code alike; the compute kernel's layout is the same with loops only).
 * Left: quicksort's first modules, the regions of 5c0 and 5e0 (6.4 KB, cpu.ts joinRegion's loop case, made before the
 * region of 550), still run where a slice ended inside a scan (the scans' heads are no entries of 550's region: ~420
 * of the run's ~3000 block calls), each then running the rest of that partition.
 *
 * Session 35, the built CLI's compute run drawn as a timeline (instrumented copies, not kept: thread CPU and page
 * faults at each round's first block call, perf per thread, sched_switch traces; 2-core VM at load 6-9). Main thread:
 * from the first instruction to crc_init's module (5,470 instructions, the interpreter warm-up's passes at 1,000 and
 * the first translation among them) 25-33 ms (process 37-56 ms); round 1 of 16 (37.4 M instructions) 66-79 ms (4 runs;
 * process 173-203 ms, ~500 page faults of the main thread, ~2,500 of the process: TurboFan's zones), round 2 14-17 ms,
 * rounds 3-16 12.6-13.8 ms each (process 13.5-14.7): the first run's ~95 ms excess is ~30 ms before round 1 and ~60 ms
 * in it. The main thread from the first instruction to round 2 by perf (call graphs, inflated ~2x, so shares): the
 * interpreter (its warm-up and round 1's ~27 K instructions: cold JavaScript, ICs) ~25 %, the translator's JavaScript
 * ~30 %, module compiles and instances ~8 %, wasm code ~16 % (Liftoff's mostly: quicksort's 16.7 M instructions after
 * its region), page faults ~5 %. Quicksort's region (550) gets its TurboFan tier-up ~9 ms after it is made, not queued
 * behind the block modules (0-3 ms of TurboFan each), but its compile takes ~33 ms of CPU (116 ms of a worker's wall at
 * load 6), longer than round 1's quicksort in Liftoff code (~14 ms): that round runs in Liftoff code whatever the
 * order. Round 1's other threads: ~110 ms of CPU, JavaScript TurboFan (step, loop, runBlock, read, ...) and wasm
 * TurboFan. Where the main thread waits (one run, load 7-9): of round 1's 292 ms of wall it ran 108, was runnable 136
 * and asleep 48: Node's worker task queue, into which V8 posts a wasm tier-up (TriggerTierUp, at each doubling of a
 * function's priority), a JavaScript optimizing job (QueueForOptimization) and the scavenger's tasks, blocked it in
 * glibc's pthread_cond_signal (__condvar_quiesce_and_switch_g1) or on the queue's mutex while worker threads that held
 * them waited for a core (one sleep of 27 ms at crc32's module's first tier-up). A second run in the same process
 * (i386-jit.ts, its modules memoized with their TurboFan code) took its round 1 in ~35 % of the first run's main-thread
 * time. Tried and dropped: V8's compilation hints (a `compilationHints` section asking regions for TurboFan at once; a
 * lazily compiled module, Node 20's default, ignores it, so with --no-wasm-lazy-compilation): each region then compiled
 * by TurboFan twice (the hint's and dynamic tiering's; quicksort's 127 + 123 ms); JIT_THRESHOLD 32: host instructions
 * of the compute run (host-insns.sh, 3 interleaved pairs) 4.101-4.118 -> 4.164-4.288 G, higher in 3; uncapped first
 * calls in wasm (Block warm 0, as rv32's: no type feedback to gather): block calls 2998 -> 2282, round 1's 1249 -> 778,
 * its interpreted instructions 26.7 K -> 25.0 K, but quicksort's 5e0 then got no region of its own before 550's, whose
 * region took it as a start (10 blocks, the j-scan's loop its own block): 4.083-4.166 -> 4.263-4.312 G, higher in 3 of
 * 3 pairs, the pc os boot to 33.1 M instructions 3.915, 3.913 -> 4.081, 3.912 G (to measure again with cpu.ts's entries
 * work on those regions); Node's --v8-pool-size=2: within the noise (8 pairs).
 *
 * Session 35, why quicksort's older regions still run (test/bench/i386-profile.ts --entries: each module's calls by
 * entry offset). A block leaves at an inner loop's head when the budget has no room for another pass and the rest of
 * the block (a warm call's 512 steps, a slice's end), and the next call starts there: the region of 5c0 (its block
 * holding the second scan) left at 5e0 on its warm calls, so 5e0 got hot and a region of its own (48 K instructions
 * before 550's); matmul's hash loop the same (3e0). 550's region has no entry at either head: they get 162 and 264
 * calls after it exists. Tried and dropped (not merged): a region made by joinRegion's loop case got a
 * "resume block" at each head of a loop inside its blocks (that block's code from the head on): modules 17 -> 15 (52396
 * -> 50132 bytes), block calls 2998 -> 2965, pc os boot 50 -> 49 modules; but the built CLI's compute run equal (28
 * interleaved pairs, load 1.3-1.9: wall medians 627 vs 637.5 ms, lower in 14; CPU 657.5 vs 659, lower in 10) and
 * host-insns.sh unsettled (4.140 -> 4.082 G in one series of 3 pairs, others spread 10-20 %): no gain for its code.
 * Resume blocks in every region (550's too): block calls 2998 -> 2762, but quicksort's region 10606 -> 12964 bytes (its
 * TurboFan compile median 38 -> 46 ms), main thread 498 -> 510.5 ms (8 pairs, lower in 3): worse. Not counting resume
 * entries as hot starts cost the pc boot's VGA scroll loop (each MMIO load leaves the region): block calls 139529 ->
 * 195436. What would remove them without copied code: entering 550's region in the middle of a block at the loop
 * head (skipping the code before it, with a run-time guard where the head's flag state is known at translation).
 *
 * Session 36, the i386 Linux boot (scripts/linux-i386 to its power-off, 245 M instructions; QEMU reaches its /init in
 * ~0.65 s, rvos in ~3.6-3.9 s): it interpreted 8.18 M instructions, each a block's end, a step and a dispatch. ROL/ROR
 * (Linux's RNG at boot: blake2s and chacha rotate every few instructions, each a left-out instruction) -> 5.71 M; straight
 * code after a block that ran its full length (the k-th 64-instruction block of blake2s' 1,700 straight instructions
 * waited for its 64 k-th call: cpu.ts runBlock `straight`) and after a REP string instruction (a boundary now) -> 3.67 M;
 * 16-bit SHL/SHR/SAR (XZ's range decoder in the kernel's decompressor, 2.0 M of them) -> 1.65 M, block calls 6.85 M ->
 * 5.12 M. Host instructions of the built CLI's boot (host-insns.sh, wasm regions, a run each after the cache-writing one):
 * 34.90 G -> 33.33 G (rotates) -> 31.91 G (straight code) -> 26.73 G (16-bit shifts: -23 %); wall to its /init
 * (RVOS_HUGE_PAGES=0, 5 interleaved pairs) 4.00 -> 3.44 s. The compute kernel and the pc os boot make the same modules
 * and block calls as before. A rotate keeps SF/ZF/AF/PF of the state before: worked out from its operands when the
 * translation knows the state, else by the host's flagsOfState (a third function of the CPU's table).
 *
 * Made the default (session 23, second round) on the built CLI's first runs (RVOS_COMPILED=1,
 * RVOS_HUGE_PAGES=0, loaded VM, wasm and JavaScript interleaved, user+sys CPU medians): compute
 * kernel 1.03 vs 1.28 s (5 pairs), the i386 Linux boot to its power-off 6.3 vs 7.1 s (5 pairs), the
 * pc os boot to its prompt 1.51 vs 1.48 s (4 pairs: equal), the empty guest 0.31 vs 0.27 s (5 pairs;
 * its startup trace shows no phase apart, mostly system time).
 */
import type { JitKit, WasmArea, WasmCode, WasmMark, WasmRam } from '../../../src/core/api.js';
import type { I386Cpu } from './cpu.js';
import { CS, DS, SS } from './consts.js';
import { AF, ARITH, CcOp, CF, OF, PF, SF, ZF } from './flags.js';
import { condOf, flagsOfState, SHIFT_PENDING, shiftFlags } from './jit-flags.js';
import { Block, collectRegion, MAX_INSNS, type BlockFn, type Region, type RunFn } from './jit.js';
import { insnLength, MAX_INSN_BYTES, mayReachHot } from './jit-reach.js';
import { FAST_KIND_SR, FAST_KIND_SW, FAST_KIND_SX, FAST_KIND_UR, FAST_KIND_UW, FAST_KIND_UX, FAST_TLB_WORDS, TLB_BITS, TLB_MASK, type FlatWindow } from './mmu.js';

/** Whether i386 regions are compiled to wasm (unless RVOS_JIT_WASM_I386=0). */
export function i386WasmWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RVOS_JIT_WASM_I386 !== '0';
}

/** The most instructions a rotated loop emits twice (Gen.rotation). */
const ROTATED_MAX = 16;

/** The most instructions of a block emitted again where another jumps to it (Gen.inlines). */
const INLINED_MAX = 8;
/** The most joins a region's scan splits its blocks at (regionScan). */
const MAX_JOINS = 4;

/** Page memos of access sites per kind (loads, stores) in the CPU's area; a region's sites past them share. */
const SITE_SLOTS = 256;

/** Entries of a CPU's chain table of starts (jit-chain.ts): direct-mapped, by RAM offset. */
export const CHAIN_ENTRIES = 1024;

/** Byte offsets in the CPU's area. */
export const AREA = {
  /** EAX..EDI (cpu.regs). */
  regs: 0,
  /** Segment bases (cpu.segBase, Uint32Array(7)). */
  segBase: 32,
  /** The lazy-flag state (copied by boundWasm): ccOp, ccA, ccB, ccR, ccBits, ccKeptCf. */
  cop: 64,
  ca: 68,
  cb: 72,
  cr: 76,
  cbits: 80,
  ck: 84,
  /** In: flagsRest; out: the arithmetic flags while cop is None. */
  fa: 88,
  /** 1 at CPL 3 (the user access kinds of the fast TLB). */
  user: 92,
  /** Out: the page offset of the next EIP from the call's page base. */
  xo: 96,
  /** Out: 1 when the interpreter must run the next instruction. */
  missed: 100,
  /** In: I386Mmu.flatLoads (the bytes less 3 of the flat window that loads reach without the TLB; 0: none). */
  flat: 104,
  /** In: the running call's page base (EIP less its page offset), for the store hook (hostFor's `written`). */
  pb: 108,
  /** In: the steps a chain (jit-chain.ts) ran before the running call, for the store hook. */
  acc: 112,
  /** Out: set by the store hook: the chain ends after the running call. */
  stop: 116,
  /** Out: the RAM offset of the start the chain's last call entered. */
  lastKey: 120,
  /** Calls a chain made past its first (a counter: jit-chain.ts). */
  hops: 124,
  /** Out: the RAM offset + 1 of the start whose run count ran out in the chain (jit-chain.ts), else 0. */
  due: 128,
  /** The MMU's fastTlb (FAST_TLB_WORDS int32). */
  fastTlb: 1024,
  /** The access sites' page memos (Gen.site): SITE_SLOTS [page, offset] pairs for loads, then as many for stores. */
  sites: 1024 + FAST_TLB_WORDS * 4,
  /** The chain's starts (jit-chain.ts): CHAIN_ENTRIES [RAM offset + 1, slot | length << 16] pairs. */
  chain: 1024 + FAST_TLB_WORDS * 4 + 2 * 8 * SITE_SLOTS,
  /** Their run counts (jit-chain.ts): CHAIN_ENTRIES uint16, the runs a lukewarm start has left before runBlocks sees it again (0: not counted). */
  chainRuns: 1024 + FAST_TLB_WORDS * 4 + 2 * 8 * SITE_SLOTS + 8 * CHAIN_ENTRIES,
  size: 1024 + FAST_TLB_WORDS * 4 + 2 * 8 * SITE_SLOTS + 10 * CHAIN_ENTRIES,
} as const;

/** Where a CPU's wasm state lives (its area of the wasm memory: WasmRam.claim). */
export type WasmCore = WasmArea;

/**
 * What the translator needs of it, the CPU's flat window (loads without the TLB: Gen.loadL) if any, and `straddle`: the
 * linear page after the translated one maps to the RAM page after it (cpu.ts nextPageFollows), so that an instruction
 * running across the page end may be translated (Gen.straddleTail).
 */
type GenCore = Pick<WasmCore, 'area' | 'flags'> & { flat?: FlatWindow; straddle?: boolean };

/** Takes the next free CPU area of the wasm memory (null when none is left). */
export function claimWasmArea(ram: WasmRam): WasmCore | null {
  return ram.claim(AREA.size);
}

/** Counters (tests). */
export const wasmRegionStats = {
  /** Blocks and regions translated to wasm. */
  translated: 0,
  /** Loops inside blocks alone found at their back edges, their code emitted again from their heads (Gen.rewind). */
  innerLoopRestarts: 0,
  /** The instructions emitted again (from those heads to the back edges). */
  innerLoopRestartInsns: 0,
  /** INC/DECs translated (scanned or emitted) without their kept carry, the next instruction setting every flag (flagsOverwrittenNext). */
  deadKeptCarries: 0,
  /** ROL/RORs translated (scanned or emitted: Gen.rotate), and those without their flags, the next instruction setting every flag. */
  rotates: 0,
  flaglessRotates: 0,
  /** 16-bit shifts translated without their flags (Gen.shift16: the next instruction sets every flag). */
  flaglessShifts16: 0,
  /** Loops opened at an instruction past their head, that head's instructions emitted again at the back edge (Gen.rotation). */
  rotatedLoops: 0,
  /** Jumps to a small block of the region that emit its code there instead of going through the dispatch (Gen.inlines). */
  inlinedBlocks: 0,
  /** RETs (indirect jumps) emitted with a branch straight to a later block of the region (Gen.gotoIndirect). */
  indirectForward: 0,
  /** Region blocks started where two blocks' paths join (regionScan: the code after it once). */
  joins: 0,
};

/** A linear address's page with its low two bits: a misaligned 32-bit access misses (as jit.ts). */
const ALIGNED_PAGE = ~0xffc;

/** Thrown while decoding past the page end: the instruction is left out. */
const CROSS = { cross: true } as const;

/** Scanned.insns of a block emitted without a scan (generateWasmBlock): its length is known at its end. */
const OPEN = -1;
/** Thrown by the first OPEN block when its first instruction is not translated. */
const EMPTY = { empty: true } as const;
/** Thrown at the back edge of a loop inside an OPEN block whose head was emitted outside a wasm `loop` (Gen.reopen). */
const REOPEN = { reopen: true } as const;

/** An OPEN block's emission state before one of its instructions (Gen.rewind). */
interface Rewind {
  code: WasmMark;
  p: number;
  known: Known;
  targets: number;
  lenPatches: number;
  loadSites: number;
  storeSites: number;
  siteSlots: number;
  sites: number;
}

/** Deletes the entries `m` got after it had `size` of them (insertion order). */
function dropAfter<K>(m: { size: number; keys(): IterableIterator<K>; delete(key: K): boolean }, size: number): void {
  if (m.size > size) for (const key of [...m.keys()].slice(size)) m.delete(key);
}

type Known = 'cmp32' | 'add32' | 'logic32' | 'inc32' | 'dec32' | 'shift' | 'cmp8' | 'logic8' | null;

/** The code of a condition under a known flag state (Gen.knownTest emits it). */
type KnownTest = 'ltu' | 'eq' | 'leu' | 'lts' | 'les' | 'subNeg' | 'no' | 'zero' | 'neg' | 'notPos' | 'bit0' | 'bit7' | 'byteLts' | 'byteLes' | 'zero8' | 'zero8OrBit7' | 'addCarry' | 'addBe';

/**
 * By known flag state, the test of each condition kind (cc >> 1: O, B, Z, BE, S, P, L, LE) on the
 * lazy-flag locals ca, cb, cr as that state records them; null where the host answers.
 */
const KNOWN_TESTS: Record<Exclude<Known, null>, readonly (KnownTest | null)[]> = {
  cmp32: [null, 'ltu', 'eq', 'leu', 'subNeg', null, 'lts', 'les'],
  logic32: ['no', 'no', 'zero', 'zero', 'neg', null, 'neg', 'notPos'],
  inc32: [null, null, 'zero', null, 'neg', null, null, null],
  dec32: [null, null, 'zero', null, 'neg', null, null, null],
  shift: [null, 'bit0', 'zero', null, 'neg', null, null, null],
  cmp8: [null, 'ltu', 'eq', 'leu', 'bit7', null, 'byteLts', 'byteLes'],
  logic8: ['no', 'no', 'zero8', 'zero8', 'bit7', null, 'bit7', 'zero8OrBit7'],
  add32: [null, 'addCarry', 'zero', 'addBe', 'neg', null, null, null],
};

interface Rm {
  reg: number;
  /** Register operand, or -1 for memory. */
  rm: number;
  base: number;
  index: number;
  scale: number;
  disp: number;
  /** Segment register of a memory operand. */
  seg: number;
}

/** A scanned block: its page offsets, length, and where control may go from it. */
interface Scanned {
  start: number;
  insns: number;
  /** Page offset past its furthest byte. */
  end: number;
  /** Page offsets it jumps, calls or returns to (region scanning). */
  targets: number[];
  /**
   * Loops inside it (a jump back to one of its instructions but the first, or to its first when the loop
   * is rotated) as [head, tail] instruction indexes, whether the flag state known before its head is
   * dropped there, and the instruction its wasm `loop` opens at (Gen.backEdge).
   */
  loops: Loop[];
  /** Page offsets after its CALLs (where a RET most often goes: Gen.gotoIndirect tests them first). */
  returns?: number[];
  /** Scanned (not emitted): the page offsets of its instructions in order (joinOf). */
  addrs?: number[];
}

/**
 * An inner loop: [head, tail, forget, top] (Scanned.loops). `top` > head: a rotated loop, its wasm `loop`
 * opened at instruction `top`, the instructions from its head to there emitted before it and again at its
 * back edge (Gen.rotation).
 */
type Loop = [number, number, boolean, number];

/** Loops by head, an outer one (a later tail) before an inner one at the same head: the order they open in. */
const outerFirst = (x: Loop, y: Loop) => x[0] - y[0] || y[1] - x[1];

// Host functions (slots of the CPU's table: hostFor) and their parameter counts (all i32, one i32 result).
const COND = 0;
const WRITTEN = 1;
/** jit-flags.ts flagsOfState: the arithmetic flags of a state known only at run time (ROL/ROR keep SF, ZF, AF, PF). */
const FLAGS = 2;
const COND_PARAMS = 8;
const FLAGS_PARAMS = 7;

/**
 * The flag state's op, width, arithmetic flags and kept carry packed in one local (`cs`), so that a
 * loop setting flags carries one value instead of four from pass to pass (fewer registers spilled).
 */
const CS_BITS = 8;
const CS_FA = 16;
const CS_KEPT = 31;
const CS_KEPT_BIT = 1 << CS_KEPT;
const CS_FA_MASK = ARITH << CS_FA;
/**
 * Set while the state's result is its operands' sum or difference (CcOp Add/Inc: a + b, Sub/Dec: a - b)
 * and the local cr was left as it was: a loop whose flags come from ADD/SUB/CMP/INC/DEC carries no
 * result from pass to pass (one value fewer for TurboFan to keep in a register or store to its stack).
 */
const CS_LAZY_R = 1 << 30;
/** setCc's INC/DEC: the kept carry stays the state's own (keptCarry). */
const KEPT_SAME = -1;
/** `cs` of op (CcOp or SHIFT_PENDING), width, arithmetic flags and kept carry. */
export function packState(cop: number, bits: number, fa: number, kept: number): number {
  return (cop & 0xff) | (bits << CS_BITS) | ((fa & ARITH) << CS_FA) | (kept << CS_KEPT);
}
const WRITTEN_PARAMS = 6;
/** The host functions' parameter counts by slot, as the modules declare the table's types (kit.wasm.hostIndirect). */
const HOST_PARAMS = [{ params: COND_PARAMS }, { params: WRITTEN_PARAMS }, { params: FLAGS_PARAMS }];

/**
 * Translates the block at RAM offset `start` alone (with the blocks at page offsets `warm` in the
 * same module: generateWasmBlocks), or with `hot` as a region (as jit.ts translateRegion); null when
 * no block starts there, or a region would hold that block only.
 */
export function translateWasmRegion(cpu: I386Cpu, kit: JitKit, core: WasmCore, u8: Uint8Array, start: number, hot?: (pageOff: number) => boolean, warm: readonly number[] = []): Region | null {
  let made: Generated | null;
  // Code translated with paging on (an OS's) would only test the window in vain at each load.
  const straddle = cpu.nextPageFollows(start & ~0xfff);
  const gen: GenCore = { area: core.area, flags: core.flags, flat: cpu.mmu.flatLoads > 0 ? cpu.mmu.flatWindow() : undefined, straddle };
  if (hot === undefined) {
    made = generateWasmBlocks(kit, gen, u8, start, warm);
  } else {
    // A first block reaching no other hot start would be scanned (emitted) in vain: the region would hold it alone.
    const scanned = mayReachHot(u8, start, hot, straddle) ? regionScan(kit, gen, u8, start, hot) : null;
    made = scanned === null || scanned.blocks.length < 2 ? null : generate(kit, gen, u8, start & ~0xfff, scanned.blocks, scanned.stopAt);
  }
  if (made === null) return null;
  const blocks = made.blocks.filter((b) => b.insns > 0), bytes = made.bytes;
  const { run, fn } = boundWasm(kit.wasm.compile(bytes), cpu, kit, core);
  wasmRegionStats.translated++;
  const cover = blocks.flatMap((b) => [b.start, b.end]);
  return { entries: new Map(blocks.map((b) => [b.start, new Block(fn, b.insns, cover, hot !== undefined, run)])) };
}

/**
 * The module of the block at RAM offset `start` and those at page offsets `warm` (starts that will
 * likely be translated soon: one module instead of several, V8 spending about 1 ms on each), each
 * emitted without a scan (which would emit its code once more: a block's code is most of the first
 * run's translation cost), as blocks alone (no end at another's start) that go to each other
 * directly; null when no block starts at `start`. A warm start no block can start at leaves at once
 * (insns 0: no entry). A loop inside a block (whose head opens a wasm `loop` before the head's code)
 * is found at its back edge: the code from its head is emitted again with the loop known (Gen.rewind).
 */
function generateWasmBlocks(kit: JitKit, core: GenCore, u8: Uint8Array, start: number, warm: readonly number[]): Generated | null {
  const open = [start & 0xfff, ...warm].map((at): Scanned => ({ start: at, insns: OPEN, end: 0, targets: [], loops: [] }));
  try {
    return generate(kit, core, u8, start & ~0xfff, open);
  } catch (e) {
    if (e === EMPTY) return null;
    throw e;
  }
}

/** The blocks a region of the start at RAM offset `start` would hold (exported for tests: jit-reach.ts agrees with it). */
export function scanWasmRegion(kit: JitKit, core: GenCore, u8: Uint8Array, start: number, hot: (pageOff: number) => boolean): Scanned[] | null {
  return regionScan(kit, core, u8, start, hot)?.blocks ?? null;
}

/**
 * The region's blocks and the starts they end before: `hot`'s, and where two blocks' paths join (joinOf), a block of
 * its own there: each block's code once.
 */
function regionScan(kit: JitKit, core: GenCore, u8: Uint8Array, start: number, hot: (pageOff: number) => boolean): { blocks: Scanned[]; stopAt: (pageOff: number) => boolean } | null {
  // Blocks scanned by RAM offset: a block that does not reach a new stop is the same scanned again.
  const scanned = new Map<number, Scanned | null>();
  let made: { blocks: Scanned[]; stopAt: (pageOff: number) => boolean } | null = null, join = -1;
  for (let joins = 0; ; joins++) {
    const before: (pageOff: number) => boolean = made?.stopAt ?? hot, at = join;
    const stopAt = at < 0 ? hot : (off: number): boolean => off === at || before(off);
    // One scanning Gen for the blocks of this layout (block() starts each afresh), its function dry (writes no byte).
    const g = new Gen(kit, core, u8, start & ~0xfff, null, stopAt);
    const blocks = collectRegion(start, stopAt, (ramOff) => {
      let b = scanned.get(ramOff);
      if (b === undefined) scanned.set(ramOff, (b = g.block(ramOff)));
      return b;
    }, (b) => b.targets);
    if (blocks === null) return made;
    // A join the region has no room for (MAX_REGION_BLOCKS, MAX_REGION_INSNS) would leave it there: the layout before.
    if (at >= 0 && !blocks.some((b) => b.start === at)) return made;
    if (at >= 0) wasmRegionStats.joins++;
    made = { blocks, stopAt };
    join = joins === MAX_JOINS ? -1 : joinOf(blocks);
    if (join < 0) return made;
    for (const [ramOff, b] of scanned) if (b !== null && b.addrs!.includes(join)) scanned.delete(ramOff);
  }
}

/**
 * The first instruction two of `blocks` both hold with another instruction before it in each (where their paths
 * join, neither's start) where no block would cut a loop inside it (cutsLoop): each block would emit the code from
 * there on (quicksort's partition loop, from its `mov ecx, edx` at 5b9 to the `jmp` back to 5b0, in the block of
 * 583, which jumps to 5b9, and in that of 5b0, which falls into it: both scans twice). Else an instruction in the
 * middle of a block that a jump of theirs lands on (below), or -1.
 */
function joinOf(blocks: readonly Scanned[]): number {
  const before = new Map<number, number>();
  for (const b of blocks) {
    const addrs = b.addrs!;
    for (let k = 1; k < addrs.length; k++) {
      const other = before.get(addrs[k]);
      if (other === undefined) before.set(addrs[k], addrs[k - 1]);
      else if (other !== addrs[k - 1] && blocks.some((c) => loopsAfter(c, addrs[k])) && !blocks.some((c) => cutsLoop(c, addrs[k]))) return addrs[k];
    }
  }
  // A region's jump that lands in the middle of one of its blocks (an instruction that block reaches by falling
  // through) would leave the region there: a block of its own there keeps it in. The i386 Linux boot's XZ decoder ran
  // its bit loop (`ja` forward over the range coder's normalisation, within the loop's block) through the dispatcher:
  // block calls 5.12 -> 2.96 M, modules 392 -> 394; the built CLI's boot to /init 2.54 -> 2.15 s (8 pairs, medians),
  // the compute kernel 17 -> 15 modules and 2,998 -> 2,646 block calls, its guest run equal (286 vs 283 ms, 10 pairs),
  // the pc OS boot 50 -> 48 modules, 139,529 -> 195,447 calls (its VGA scroll loop, MMIO-bound, regions formed in
  // another order), 625 vs 609 ms to its prompt. Not for a block alone (mayReachHot tells those apart unscanned).
  if (blocks.length < 2) return -1;
  const starts = new Set(blocks.map((b) => b.start));
  for (const b of blocks) {
    for (const t of b.targets) {
      if (!starts.has(t) && before.has(t) && !blocks.some((c) => cutsLoop(c, t))) return t;
    }
  }
  return -1;
}

/**
 * Whether block `b` holds a loop from page offset `at` on (a join's code with no loop, emitted twice, costs less than
 * the block boundary: the i386 Linux boot, 21 joins, main thread +2-5 % in 3 of 3 pairs).
 */
function loopsAfter(b: Scanned, at: number): boolean {
  const k = b.addrs!.indexOf(at);
  return k > 0 && b.loops.some(([head]) => head >= k);
}

/**
 * Whether block `b` ending before page offset `at` would cut a loop inside it, its head before `at` and its jump back
 * from there on: that jump, in the block at `at`, would go to no block (its head is none) and leave the region on
 * every pass. A loop on the block's own start is none: the block of `at` goes there as to any region block.
 */
function cutsLoop(b: Scanned, at: number): boolean {
  const k = b.addrs!.indexOf(at);
  return k > 0 && b.loops.some(([head, tail]) => head > 0 && head < k && k <= tail);
}



/** Where the running region's call started (boundWasm sets it, the CPU's `written` reads it with AREA.pb and AREA.acc). */
interface CallStart {
  /** cpu.ran at the call (at the chain's first call: jit-chain.ts). */
  ran0: number;
}

/** A CPU's imports for its regions (memory and its host table), and the state its `written` reads. */
interface WasmHost {
  readonly env: { mem: WebAssembly.Memory; host: WebAssembly.Table };
  readonly start: CallStart;
}

const hosts = new WeakMap<I386Cpu, WasmHost>();

/**
 * The CPU's table (`env.host`) holding `cond` at COND and `written` at WRITTEN, which regions call with
 * call_indirect rather than import: V8 compiles a wasm-to-JavaScript wrapper per imported function as it compiles
 * each module, none for a table (kit.wasm.hostTable, WasmIndirect).
 */
export function hostFor(cpu: I386Cpu, kit: JitKit, core: WasmCore): WasmHost {
  let host = hosts.get(cpu);
  if (host !== undefined) return host;
  const start: CallStart = { ran0: 0 };
  const a = core.area32;
  const written = (o: number, size: number, off: number, nxt: number, esp: number, n: number): number => {
    const pb = a[AREA.pb >> 2];
    const leave = cpu.wasmStoreHook(o, size, (pb + off) >>> 0, (pb + nxt) >>> 0, esp, start.ran0 + a[AREA.acc >> 2] + n);
    // A chain goes on only while nothing but the region's own work happened: as runBlocks' checks after a call.
    if (leave || cpu.chainMustStop()) a[AREA.stop >> 2] = 1;
    return leave ? 1 : 0;
  };
  const fns = [{ fn: condOf, params: COND_PARAMS }, { fn: written, params: WRITTEN_PARAMS }, { fn: flagsOfState, params: FLAGS_PARAMS }];
  host = { env: { mem: core.memory, host: kit.wasm.hostTable(fns, core.memory) }, start };
  hosts.set(cpu, host);
  return host;
}

/** A region module instantiated for a CPU: its function, and the function wrapped by copyingState. */
interface Bound {
  run: RunFn;
  fn: BlockFn;
}

/** The module instantiated for `cpu` (once per CPU: kit.wasm.instanceFor), and wrapped by copyingState. */
function boundWasm(module: WebAssembly.Module, cpu: I386Cpu, kit: JitKit, core: WasmCore): Bound {
  return kit.wasm.instanceFor(module, cpu, () => {
    const host = hostFor(cpu, kit, core);
    const run = new WebAssembly.Instance(module, { env: host.env }).exports.run as RunFn;
    return { run, fn: copyingState(run, cpu, core.area32, host.start) };
  });
}

/** Before runBlocks calls a region (copyingState, the chain): the flag state into the CPU's area unless there already, and the CPU's modes. */
export function stateIn(cpu: I386Cpu, a: Int32Array): void {
  if (!cpu.flagsInArea) {
    a[AREA.cop >> 2] = cpu.ccOp; a[AREA.ca >> 2] = cpu.ccA; a[AREA.cb >> 2] = cpu.ccB; a[AREA.cr >> 2] = cpu.ccR;
    a[AREA.cbits >> 2] = cpu.ccBits; a[AREA.ck >> 2] = cpu.ccKeptCf; a[AREA.fa >> 2] = cpu.flagsRest;
    cpu.flagsInArea = true;
  }
  a[AREA.user >> 2] = cpu.cpl === 3 ? 1 : 0;
  a[AREA.flat >> 2] = cpu.mmu.flatLoads;
}

/** After it: EIP and the count (`steps` past `ran0`; retiredCount follows) into the CPU; returns whether the interpreter runs next. */
export function stateOut(cpu: I386Cpu, a: Int32Array, ran0: number, steps: number): number {
  cpu.eip = (a[AREA.pb >> 2] + a[AREA.xo >> 2]) >>> 0;
  cpu.ran = ran0 + steps; // retiredCount too
  // A pending shift's flags are made here: a region's prologue takes a state the CPU's fields can hold.
  if (a[AREA.cop >> 2] === SHIFT_PENDING) { a[AREA.fa >> 2] = shiftFlags(a[AREA.cr >> 2], a[AREA.ca >> 2]); a[AREA.cop >> 2] = CcOp.None; }
  return a[AREA.missed >> 2];
}

/**
 * `run` wrapped to leave EIP and the counts, with the flag state in the CPU's area: copied there from the CPU's fields
 * unless the last call left it there (cpu.flagsInArea), and left there for the next call, runBlock copying it back
 * (flagsFromArea) before the interpreter or anything else reads it. A top-level function, so that every wrapper
 * shares one closure feedback cell (as rv32's leavingNpc).
 */
function copyingState(run: RunFn, cpu: I386Cpu, a: Int32Array, start: CallStart): BlockFn {
  return (eip, maxSteps, at) => {
    stateIn(cpu, a);
    const ran0 = cpu.ran;
    a[AREA.pb >> 2] = (eip - at) | 0; a[AREA.acc >> 2] = 0;
    start.ran0 = ran0;
    return stateOut(cpu, a, ran0, run(eip, maxSteps, at));
  };
}

/**
 * The flag state the region calls left in the CPU's area (copyingState) back into its fields. Between consecutive
 * calls it stays there: the i386 Linux boot makes ~2.96 M block calls, mostly one after another in its kernel
 * decompressor; without the copies at each its host instructions (cachegrind) went down 2.7 %. Only the arithmetic
 * flags come back into flagsRest.
 */
export function flagsFromArea(cpu: I386Cpu, core: WasmCore): void {
  const a = core.area32;
  cpu.ccOp = a[AREA.cop >> 2]; cpu.ccA = a[AREA.ca >> 2]; cpu.ccB = a[AREA.cb >> 2]; cpu.ccR = a[AREA.cr >> 2];
  cpu.ccBits = a[AREA.cbits >> 2]; cpu.ccKeptCf = a[AREA.ck >> 2];
  cpu.flagsRest = (cpu.flagsRest & ~ARITH) | (a[AREA.fa >> 2] & ARITH);
  cpu.flagsInArea = false;
}

// Parameters of `run`.
const EIP = 0;
const MAX_STEPS = 1;
const AT = 2;

/** A module's bytes and its blocks as emitted. */
interface Generated {
  blocks: Scanned[];
  bytes: Uint8Array;
}

/** The bytes of the region module of scanned `blocks` (page at RAM offset `pageStart`). */
export function generateWasmRegion(kit: JitKit, core: GenCore, u8: Uint8Array, pageStart: number, blocks: readonly Scanned[], hot?: (pageOff: number) => boolean): Uint8Array {
  return generate(kit, core, u8, pageStart, blocks, hot).bytes;
}

/** The module of `blocks` (one of them OPEN: a block alone, emitted unscanned). */
function generate(kit: JitKit, core: GenCore, u8: Uint8Array, pageStart: number, blocks: readonly Scanned[], hot?: (pageOff: number) => boolean): Generated {
  const { I32 } = kit.wasm;
  const c = kit.wasm.code([I32, I32, I32], [I32]);
  const g = new Gen(kit, core, u8, pageStart, c, hot, blocks);
  const emitted = g.region();
  const bytes = kit.wasm.module(c, [], kit.wasm.hostIndirect('host', HOST_PARAMS));
  return { blocks: emitted, bytes };
}

/** Compiles blocks to wasm: scanning (no function: `c` a dry scratch, which writes no byte) or emitting a region's function. */
class Gen {
  private readonly c: WasmCode;
  private readonly op: JitKit['wasm']['op'];
  private readonly emitting: boolean;
  private readonly area: number;
  // Locals.
  private readonly r: number[] = [];
  /** The flag state's operands; `cs` packs the rest of it (packState). */
  private readonly ca: number; private readonly cb: number; private readonly cr: number; private readonly cs: number;
  private readonly steps: number; private readonly cur: number; private readonly pb: number;
  private readonly dsB: number; private readonly ssB: number; private readonly rk: number; private readonly wk: number;
  private readonly xo: number; private readonly xn: number; private readonly xm: number; private readonly slow: number;
  private readonly A: number; private readonly B: number; private readonly R: number; private readonly C: number;
  private readonly l: number; private readonly t: number; private readonly v: number; private readonly w: number;
  private readonly o: number;
  private readonly cy: number;
  /** carry(): the flag state's op, unpacked. */
  private readonly cq: number;
  /** crRuntime's scratch (the op), carry()'s result. */
  private readonly ce: number;
  private readonly i64a: number;
  /** AREA.flat, and the window it is of (null: no flat path emitted). */
  private readonly fl: number;
  private readonly flat: FlatWindow | null;
  // Labels.
  private exitL = -1;
  private passL = -1;
  private selfL = -1;
  /** The access sites of the block (site()), by kind and address form; the page locals of all, for the prologue. */
  private readonly sites = new Map<string, number>();
  /** The memos the region's sites use (their page words: the prologue clears them). */
  private readonly siteSlots = new Set<number>();
  private loadSites = 0;
  private storeSites = 0;
  private siteKey = '';
  /** Per block of the region: the label whose end its code follows (open in the blocks before it). */
  private readonly blockL: number[] = [];
  /** An instruction may run across the page end (GenCore.straddle). */
  private readonly straddle: boolean;
  /** The RAM offset decoding stops at for the current instruction: the page end, or past it for one across (straddleTail). */
  private limit = 0;
  // The block being scanned or emitted.
  private p = 0;
  private k = 0;
  private off = 0;
  private known: Known = null;
  private entry = 0;
  private curIndex = 0;
  private curLen = 0;
  /** The block whose code is being emitted again inside the current one (inlineBlock), or null. */
  private inlined: Scanned | null = null;
  /** The block is OPEN (emitted unscanned: its length unknown until its end). */
  private open = false;
  /** The loop whose back edge threw REOPEN: [head, tail, forget]. */
  private reopen: Loop = [0, 0, false, 0];
  /** OPEN: [byte offset, extra] of each lenPlus constant. */
  private readonly lenPatches: number[] = [];
  private targets: number[] = [];
  /** Per instruction of the block: by RAM offset its index; by index the flag state known before it. */
  private insnAt = new Map<number, number>();
  private knownAt: Known[] = [];
  /**
   * Per instruction of the block (rotation): its address; whether it sets every flag with no exit before;
   * whether it does not jump; whether its code reads the flag state (an exit, a condition, a carry).
   */
  private addrAt: number[] = [];
  private setsAll: boolean[] = [];
  private plain: boolean[] = [];
  private readsState: boolean[] = [];
  /** Whether the instruction sets the flag state (the state known after it then does not depend on that before it). */
  private setsFlags: boolean[] = [];
  /** Exits, conditions and carries emitted so far (readsState); flag states set (setsFlags). */
  private stateReads = 0;
  private stateSets = 0;
  private innerLoops: Loop[] = [];
  /** Emitting: the labels of the open inner loops, by head. */
  private innerL = new Map<number, number>();
  private stores = false;
  readonly regsWritten = new Uint8Array(8);
  /** block(): regsWritten before the current instruction (restored when it is left out). */
  private readonly regsWrittenBefore = new Uint8Array(8);
  private readonly index: Map<number, number>;
  /** The region's blocks' return sites (Scanned.returns). */
  private readonly returnSites: ReadonlySet<number>;
  private indirectOrderMemo: number[] | null = null;
  /** The block's CALLs' return sites. */
  private returns: number[] = [];

  constructor(
    private readonly kit: JitKit,
    core: GenCore,
    private readonly u8: Uint8Array,
    private readonly pageStart: number,
    code: WasmCode | null,
    private readonly stopAt: ((pageOff: number) => boolean) | undefined,
    private readonly blocks: readonly Scanned[] = [],
    private readonly flagsAt = core.flags,
  ) {
    this.returnSites = new Set(blocks.flatMap((b) => b.returns ?? []));
    const { I32, I64 } = kit.wasm;
    this.op = kit.wasm.op;
    this.emitting = code !== null;
    this.c = code ?? kit.wasm.code([I32, I32, I32], [I32], true);
    this.area = core.area;
    const c = this.c;
    for (let i = 0; i < 8; i++) this.r.push(c.local());
    this.ca = c.local(); this.cb = c.local(); this.cr = c.local(); this.cs = c.local();
    this.steps = c.local(); this.cur = c.local(); this.pb = c.local();
    this.dsB = c.local(); this.ssB = c.local(); this.rk = c.local(); this.wk = c.local();
    this.xo = c.local(); this.xn = c.local(); this.xm = c.local(); this.slow = c.local();
    this.A = c.local(); this.B = c.local(); this.R = c.local(); this.C = c.local();
    this.l = c.local(); this.t = c.local(); this.v = c.local(); this.w = c.local(); this.o = c.local(); this.cy = c.local(); this.cq = c.local(); this.ce = c.local();
    this.i64a = c.local(I64);
    this.fl = c.local();
    this.flat = core.flat ?? null;
    this.straddle = core.straddle ?? false;
    this.index = new Map(blocks.map((b, i) => [b.start, i]));
    if (!this.emitting) {
      // Scanning: exits branch to a label, gotos only record their targets.
      this.exitL = c.block();
      this.passL = c.loop();
      this.selfL = c.loop();
    }
  }

  // --- The region's function -------------------------------------------------------------------

  /** Emits the region's function; returns its blocks as emitted. */
  region(): Scanned[] {
    const { c, op, area } = this;
    // Prologue: registers, flag state, segment bases, access kinds.
    for (let i = 0; i < 8; i++) c.i32(0).mem(op.i32_load, area + AREA.regs + 4 * i).set(this.r[i]);
    const ld = (field: number, local: number) => c.i32(0).mem(op.i32_load, area + field).set(local);
    ld(AREA.ca, this.ca); ld(AREA.cb, this.cb); ld(AREA.cr, this.cr);
    const field = (at: number) => c.i32(0).mem(op.i32_load, area + at);
    field(AREA.cop).i32(0xff).op(op.i32_and);
    field(AREA.cbits).i32(CS_BITS).op(op.i32_shl).op(op.i32_or);
    field(AREA.fa).i32(ARITH).op(op.i32_and).i32(CS_FA).op(op.i32_shl).op(op.i32_or);
    field(AREA.ck).i32(CS_KEPT).op(op.i32_shl).op(op.i32_or).set(this.cs);
    c.i32(0).mem(op.i32_load, area + AREA.segBase + 4 * DS).set(this.dsB);
    c.i32(0).mem(op.i32_load, area + AREA.segBase + 4 * SS).set(this.ssB);
    if (this.flat !== null) c.i32(0).mem(op.i32_load, area + AREA.flat).set(this.fl);
    // Byte offsets of the access kinds in the fast TLB (jit.ts RK/WK, times 4).
    c.i32(0).mem(op.i32_load, area + AREA.user).if();
    c.i32(FAST_KIND_UR << (TLB_BITS + 3)).set(this.rk).i32(FAST_KIND_UW << (TLB_BITS + 3)).set(this.wk);
    c.else();
    c.i32(FAST_KIND_SR << (TLB_BITS + 3)).set(this.rk).i32(FAST_KIND_SW << (TLB_BITS + 3)).set(this.wk);
    c.end();
    c.get(EIP).get(AT).op(op.i32_sub).set(this.pb);
    c.get(AT).set(this.xo);
    // The entry's block number (-1: none, leave).
    c.i32(-1).set(this.cur);
    this.blocks.forEach((b, j) => {
      c.get(AT).i32(b.start).op(op.i32_eq).if();
      c.i32(j).set(this.cur);
      c.end();
    });
    const sitesAt = c.size;
    this.exitL = c.block();
    this.passL = c.loop();
    const labels = this.blockL;
    for (let j = this.blocks.length - 1; j >= 0; j--) labels[j] = c.block();
    const none = c.block();
    c.get(this.cur).brTable(labels, none);
    c.end();
    // No block there: leave without a step (xo = the target).
    c.i32(0).set(this.xn).br(this.exitL);
    const emitted = this.blocks.map((b, j) => {
      c.end();
      this.curIndex = j;
      const g = this.block(this.pageStart + b.start);
      if (g === null || (b.insns !== OPEN && g.insns !== b.insns)) throw new Error('i386 wasm jit: a block scanned differently twice');
      c.op(op.unreachable);
      return g;
    });
    c.end(); // passL
    c.end(); // exitL
    // No site has a page yet (inserted before the body: branches are relative, not byte offsets).
    const init = this.kit.wasm.code([], []);
    for (const at of this.siteSlots) init.i32(0).i32(-1).mem(op.i32_store, at);
    c.insert(sitesAt, init.bytes);
    // Epilogue: the steps of the exit, registers and flag state back.
    c.get(this.steps).get(this.xn).op(op.i32_add).set(this.steps);
    for (let i = 0; i < 8; i++) if (this.regsWritten[i]) c.i32(0).get(this.r[i]).mem(op.i32_store, area + AREA.regs + 4 * i);
    const st = (field: number, local: number) => c.i32(0).get(local).mem(op.i32_store, area + field);
    st(AREA.ca, this.ca); st(AREA.cb, this.cb);
    c.i32(0); this.crRuntime(); c.mem(op.i32_store, area + AREA.cr);
    c.i32(0); this.csCop(); c.mem(op.i32_store, area + AREA.cop);
    c.i32(0); this.csBits(); c.mem(op.i32_store, area + AREA.cbits);
    c.i32(0); this.csKept(); c.mem(op.i32_store, area + AREA.ck);
    c.i32(0); this.csFa(); c.mem(op.i32_store, area + AREA.fa);
    st(AREA.xo, this.xo); st(AREA.missed, this.xm);
    c.get(this.steps);
    return emitted;
  }

  /** The emission state before the current instruction of an OPEN block (rewind). */
  private state(): Rewind {
    return {
      code: this.c.mark(), p: this.p, known: this.known, targets: this.targets.length, lenPatches: this.lenPatches.length,
      loadSites: this.loadSites, storeSites: this.storeSites, siteSlots: this.siteSlots.size, sites: this.sites.size,
    };
  }

  /**
   * Back to the state `s` before instruction `reopen`'s head, whose loop then opens there: the code since is emitted
   * again, the same bytes as emitting the whole module again with the loop known (as was done: 827 of the 1862 block
   * instructions the compute kernel's first run emitted; emitting the block again, 705 of 1740; from the head, 267 of 1302).
   */
  private rewind(s: Rewind): void {
    const head = this.reopen[0];
    wasmRegionStats.innerLoopRestarts++;
    wasmRegionStats.innerLoopRestartInsns += this.k - head;
    this.c.rewind(s.code);
    this.k = head; this.p = s.p; this.known = s.known;
    this.targets.length = s.targets;
    this.lenPatches.length = s.lenPatches;
    this.loadSites = s.loadSites; this.storeSites = s.storeSites;
    dropAfter(this.siteSlots, s.siteSlots);
    dropAfter(this.sites, s.sites);
    this.innerLoops = this.innerLoops.filter(([, tail]) => tail < head);
    // The instructions from the head on are emitted again and may take another course (a flag state known
    // differently): a jump to one of them is no back edge until it is (Linux 6.1 at 0x012ef798 rewound
    // to a head the new pass had not reached, past the end of its code).
    this.insnAt.forEach((k, p, at) => void (k >= head && at.delete(p))); // no [p, k] pair per entry, as for-of makes
  }

  // --- Control ---------------------------------------------------------------------------------

  /** Leaves after `count` more steps with the next EIP at page offset `off` (or the local `this.t`: 'local'), `missed` 1: the interpreter runs it. */
  private exit(off: number | 'local', count: number, missed = 0): void {
    const c = this.c;
    this.stateReads++;
    if (off === 'local') c.get(this.t).set(this.xo);
    else c.i32(off).set(this.xo);
    c.i32(count).set(this.xn);
    if (missed) c.i32(1).set(this.xm);
    c.br(this.exitL);
  }

  /** Leaves before the current instruction for the interpreter (an access off the fast path). */
  private miss(): void {
    this.exit(this.off, this.k, 1);
  }

  /** Control goes to page offset `t` after `count` instructions of this block. */
  private goto(t: number, count: number): void {
    const c = this.c, op = this.op;
    this.targets.push(t);
    if (!this.emitting) return void c.br(this.exitL);
    const j = this.index.get(t);
    if (j === undefined) return this.exit(t, count);
    c.get(this.steps).i32(count).op(op.i32_add).set(this.steps);
    if (j === this.curIndex) {
      c.get(this.steps);
      this.lenPlus(0);
      c.op(op.i32_add).get(MAX_STEPS).op(op.i32_le_s).brIf(this.selfL);
      return this.exit(t, 0);
    }
    if (this.inlines(j)) return this.inlineBlock(j);
    // A later block: its label is open here (a branch to its end); an earlier one: through the dispatch.
    if (j > this.curIndex) c.br(this.blockL[j]);
    else c.i32(j).set(this.cur).br(this.passL);
  }

  /**
   * Whether a jump to region block `j` emits that block's code right there (inlineBlock): a small one with no
   * loop inside, whose own jumps all go to this block or later ones (or leave), when that saves a pass through
   * the dispatch (an earlier block, or one jumping back to an earlier one). Quicksort's partition loop is two
   * blocks, `mov edx, [ebp-0x10]; cmp edx, edi; mov esi, edi; jg` falling into the scans, which jump back to
   * it: every swap went through the br_table (every local merged there); with that block's code at the scans'
   * jumps, the partition loop is the scans' block's own wasm loop.
   */
  private inlines(j: number): boolean {
    if (this.open || this.inlined !== null || this.stores) return false;
    const b = this.blocks[j];
    if (b.insns === OPEN || b.insns > INLINED_MAX || b.loops.length > 0) return false;
    let saves = j < this.curIndex;
    for (const t of b.targets) {
      const i = this.index.get(t);
      if (i === undefined) continue;
      if (i < this.curIndex) return false;
      if (i < j) saves = true;
    }
    return saves;
  }

  /**
   * Region block `j`'s code emitted here (inlines), its steps counted on from this block's (already in
   * `steps`), its own budget check first as at its start; its jumps go on from this block (a jump to this
   * block's start is its loop's `br`).
   */
  private inlineBlock(j: number): void {
    const c = this.c, op = this.op, b = this.blocks[j];
    const { p, k, off, known, entry, insnAt } = this, targets = this.targets.length;
    wasmRegionStats.inlinedBlocks++;
    this.inlined = b;
    // No back edge into the outer block's instructions from there.
    this.insnAt = new Map();
    c.get(this.steps).i32(b.insns).op(op.i32_add).get(MAX_STEPS).op(op.i32_gt_s).if(false);
    this.exit(b.start, 0);
    c.end();
    this.entry = this.p = this.pageStart + b.start;
    let ended = false;
    for (this.k = 0; this.k < b.insns && !ended; this.k++) {
      this.off = this.p - this.pageStart;
      this.stores = false;
      const r = this.insn();
      if (r === null) throw new Error('i386 wasm jit: an inlined block emitted differently');
      ended = r === 'end';
      this.leaveIfStoreSlow();
    }
    if (this.k !== b.insns) throw new Error('i386 wasm jit: an inlined block ended early');
    if (!ended) this.goto(this.p - this.pageStart, this.k);
    this.inlined = null;
    this.insnAt = insnAt;
    this.targets.length = targets;
    this.p = p; this.k = k; this.off = off; this.known = known; this.entry = entry; this.stores = false;
  }

  /** The region's block indexes, return sites first (gotoIndirect's order; once per region, not per RET). */
  private indirectOrder(): readonly number[] {
    if (this.indirectOrderMemo !== null) return this.indirectOrderMemo;
    const at = (j: number) => (this.returnSites.has(this.blocks[j].start) ? 0 : 1);
    return (this.indirectOrderMemo = this.blocks.map((_, i) => i).sort((x, y) => at(x) - at(y)));
  }

  /** Control goes to the EIP on the stack after `count` instructions: a block of the region, else leave. */
  private gotoIndirect(count: number): void {
    const c = this.c, op = this.op;
    c.get(this.pb).op(op.i32_sub).set(this.t);
    if (this.emitting) {
      // The region's return sites first (a RET's target most often), a later block by its label, not the dispatch.
      for (const j of this.indirectOrder()) {
        c.get(this.t).i32(this.blocks[j].start).op(op.i32_eq).if();
        c.get(this.steps).i32(count).op(op.i32_add).set(this.steps);
        if (j > this.curIndex) c.br(this.blockL[j]);
        else c.i32(j).set(this.cur).br(this.passL);
        c.end();
      }
      if (this.blocks.length > this.curIndex + 1) wasmRegionStats.indirectForward++;
    }
    this.exit('local', count);
  }

  // --- A block ---------------------------------------------------------------------------------

  /** Scans (and emits) the block at RAM offset `start`. */
  block(start: number): Scanned | null {
    const c = this.c, op = this.op;
    const pageEnd = this.pageStart + 0x1000;
    this.entry = start;
    this.p = start;
    this.k = 0;
    this.known = null;
    this.targets = [];
    this.returns = [];
    this.insnAt.clear();
    this.knownAt = [];
    this.addrAt = []; this.setsAll = []; this.plain = []; this.readsState = []; this.setsFlags = [];
    this.innerLoops = [];
    this.innerL.clear();
    this.sites.clear();
    // Emitting: the inner loops the scan found, each opened at its head or top (outer ones first).
    const loops = this.emitting ? [...this.blocks[this.curIndex].loops].sort(outerFirst) : [];
    /** OPEN: the state before each instruction, to emit again from a loop's head once its back edge is found. */
    const before: Rewind[] = [];
    let furthest = start;
    let loopExit = -1;
    this.open = this.emitting && this.blocks[this.curIndex].insns === OPEN;
    this.lenPatches.length = 0;
    const len = this.emitting && !this.open ? this.blocks[this.curIndex].insns : MAX_INSNS;
    this.curLen = len;
    if (this.emitting) {
      // The budget for a whole pass.
      c.get(this.steps);
      this.lenPlus(0);
      c.op(op.i32_add).get(MAX_STEPS).op(op.i32_gt_s).if(false);
      this.exit(start & 0xfff, 0);
      c.end();
      this.selfL = c.loop();
    }
    let ended = false;
    while (this.k < MAX_INSNS && !ended && (!this.emitting || this.k < len)) {
      // Past the page end after an instruction across it: the block goes on there (an exit).
      if (this.p >= pageEnd) break;
      if (this.k > 0 && this.stopAt !== undefined && this.p !== loopExit && this.stopAt(this.p - this.pageStart)) break;
      if (this.open) before[this.k] = this.state();
      this.off = this.p - this.pageStart;
      this.insnAt.set(this.p, this.k);
      // A rotated loop's top before its tail sets every flag before any exit: the state known there is never read.
      // Indexed, not for-of or [a, b] = loop: the translator runs cold (unoptimised), where both allocate an iterator.
      for (let i = 0; i < loops.length; i++) {
        const l = loops[i], head = l[0], top = l[3];
        if ((head === this.k && l[2]) || (top > head && top < l[1] && top === this.k)) this.known = null;
      }
      this.knownAt[this.k] = this.known;
      for (let i = 0; i < loops.length; i++) if (loops[i][3] === this.k) this.innerL.set(loops[i][1], c.loop());
      const mark = this.p, known = this.known, bytes = c.size, targets = this.targets.length, reads = this.stateReads, sets = this.stateSets;
      const written = this.regsWrittenBefore;
      written.set(this.regsWritten);
      this.addrAt[this.k] = this.p;
      this.setsAll[this.k] = this.setsAllFlagsAt(this.p);
      this.stores = false;
      const tail = this.straddleTail(pageEnd);
      this.limit = pageEnd + tail;
      if (tail > 0 && this.emitting) this.straddleCheck(tail);
      let r: Result;
      try {
        r = this.insn();
        this.plain[this.k] = r === 'ok' && this.targets.length === targets;
        this.readsState[this.k] = this.stateReads !== reads;
        this.setsFlags[this.k] = this.stateSets !== sets;
      } catch (e) {
        if (e === REOPEN) {
          const [head, tail] = this.reopen;
          if (loops.some((l) => l[0] === head && l[1] === tail)) throw new Error('i386 wasm jit: an inner loop not opened');
          loops.push(this.reopen);
          loops.sort(outerFirst);
          this.rewind(before[this.reopen[0]]);
          continue;
        }
        if (e !== CROSS) throw e;
        r = null;
      }
      if (r === null) {
        this.p = mark;
        this.known = known;
        c.truncate(bytes); // the left-out instruction's bytes and hints
        while (this.lenPatches.length > 0 && this.lenPatches[this.lenPatches.length - 2] >= bytes) this.lenPatches.length -= 2;
        this.regsWritten.set(written);
        break;
      }
      if (r === 'loopExit') loopExit = this.p;
      this.leaveIfStoreSlow();
      this.k++;
      if (this.p > furthest) furthest = this.p;
      if (r === 'end') ended = true;
    }
    if (this.k === 0) {
      if (!this.emitting) return null;
      if (!this.open) throw new Error('i386 wasm jit: an empty block');
      if (this.curIndex === 0) throw EMPTY;
      // A warm start no block starts at: leave for the interpreter (a jump of another block to it included).
      this.exit(start & 0xfff, 0);
      ended = true;
    }
    if (this.open) this.curLen = this.k;
    if (!ended) this.goto(this.p - this.pageStart, this.k);
    if (this.emitting) c.end(); // selfL
    if (this.open) this.patchLen();
    const addrs = this.emitting ? undefined : this.addrAt.slice(0, this.k).map((at) => at & 0xfff);
    return { start: start & 0xfff, insns: this.k, end: furthest >= pageEnd ? 0x1000 : furthest & 0xfff, targets: this.targets, loops: this.innerLoops, returns: this.returns, addrs };
  }

  /**
   * The bytes the instruction at p runs into the next page when that may be translated (GenCore.straddle: the next
   * linear page mapped to the next RAM page when translated, jit-reach.ts insnLength knowing its length), else 0 (left
   * out at the page end, CROSS, as without). The Linux kernel decompressor's XZ decoder ran a MOV across a page ~150 K
   * times: each time its region left before it, the interpreter ran it, and the dispatcher entered the next page's.
   */
  private straddleTail(pageEnd: number): number {
    if (!this.straddle || this.p + MAX_INSN_BYTES <= pageEnd) return 0;
    const end = this.p + insnLength(this.u8, this.p);
    return end > pageEnd && end <= this.u8.length ? end - pageEnd : 0;
  }

  /**
   * Before an instruction whose last `tail` bytes lie on the next page: leaves for the interpreter unless the linear
   * page after this one still maps to the RAM page after this one (the fast TLB's execute entry, as the chain's
   * dispatcher looks EIP up) and those bytes are still the ones translated. That page is not this translation's (a
   * store there drops nothing), so they are compared at every pass: a mapping changed (paging), a TLB entry gone or a
   * byte written there leaves, and the interpreter runs the instruction as it is.
   */
  private straddleCheck(tail: number): void {
    const c = this.c, op = this.op, u8 = this.u8, next = this.pageStart + 0x1000;
    c.i32(0).mem(op.i32_load, this.area + AREA.segBase + 4 * CS).get(this.pb).op(op.i32_add).i32(0x1000).op(op.i32_add).set(this.l);
    c.get(this.l).i32(9).op(op.i32_shr_u).i32(TLB_MASK << 3).op(op.i32_and);
    c.i32(FAST_KIND_UX << (TLB_BITS + 3)).i32(FAST_KIND_SX << (TLB_BITS + 3)).i32(0).mem(op.i32_load, this.area + AREA.user).op(op.select);
    c.op(op.i32_or).tee(this.t).mem(op.i32_load, this.area + AREA.fastTlb).get(this.l).i32(-4096).op(op.i32_and).op(op.i32_ne);
    c.get(this.t).mem(op.i32_load, this.area + AREA.fastTlb + 4).get(this.l).op(op.i32_add).i32(next).op(op.i32_ne).op(op.i32_or);
    for (let i = 0; i < tail; i += 4) {
      const n = Math.min(4, tail - i), mask = n === 4 ? -1 : (1 << (8 * n)) - 1;
      const bytes = u8[next + i] | (u8[next + i + 1] << 8) | (u8[next + i + 2] << 16) | (u8[next + i + 3] << 24);
      c.i32(0).mem(op.i32_load, next + i);
      if (n < 4) c.i32(mask).op(op.i32_and);
      c.i32(bytes & mask).op(op.i32_ne).op(op.i32_or);
    }
    c.if(false);
    this.miss();
    c.end();
  }

  /** After an instruction that stored: a store to a page with flags dropped a translation, the next instruction is the interpreter's. */
  private leaveIfStoreSlow(): void {
    if (!this.stores) return;
    const c = this.c;
    c.get(this.slow).if(false);
    this.exit(this.p - this.pageStart, this.k + 1);
    c.end();
  }

  // --- Decoding --------------------------------------------------------------------------------

  private byte(): number {
    if (this.p >= this.limit) throw CROSS;
    return this.u8[this.p++];
  }
  private imm8s(): number { return (this.byte() << 24) >> 24; }
  private imm16(): number { return this.byte() | (this.byte() << 8); }
  private imm32(): number { return this.byte() | (this.byte() << 8) | (this.byte() << 16) | (this.byte() << 24); }
  private next(): number { return this.p - this.pageStart; }

  private override = -1;

  private modrm(): Rm {
    const m = this.byte();
    const mod = m >> 6, rmf = m & 7, reg = (m >> 3) & 7;
    const out: Rm = { reg, rm: -1, base: -1, index: -1, scale: 0, disp: 0, seg: DS };
    if (mod === 3) { out.rm = rmf; return out; }
    let base = rmf;
    if (rmf === 4) {
      const sib = this.byte();
      const idx = (sib >> 3) & 7;
      base = sib & 7;
      if (idx !== 4) { out.index = idx; out.scale = sib >> 6; }
      if (base === 5 && mod === 0) { out.disp = this.imm32(); base = -1; }
    } else if (rmf === 5 && mod === 0) { out.disp = this.imm32(); base = -1; }
    if (base >= 0) { out.base = base; if (base === 4 || base === 5) out.seg = SS; }
    if (mod === 1) out.disp = (out.disp + this.imm8s()) | 0;
    else if (mod === 2) out.disp = (out.disp + this.imm32()) | 0;
    if (this.override >= 0) out.seg = this.override;
    return out;
  }

  /** Pushes the offset (no segment base) of memory operand `m`. */
  private offset(m: Rm): void {
    const c = this.c, op = this.op;
    let any = false;
    const add = () => { if (any) c.op(op.i32_add); any = true; };
    if (m.base >= 0) { c.get(this.r[m.base]); add(); }
    if (m.index >= 0) { c.get(this.r[m.index]); if (m.scale) c.i32(m.scale).op(op.i32_shl); add(); }
    if (m.disp !== 0 || !any) { c.i32(m.disp); add(); }
  }

  private segBase(seg: number): void {
    const c = this.c;
    if (seg === DS) c.get(this.dsB);
    else if (seg === SS) c.get(this.ssB);
    else c.i32(0).mem(this.op.i32_load, this.area + AREA.segBase + 4 * seg);
  }

  /** Sets `l` to the linear address of `m`. */
  private linear(m: Rm): void {
    this.siteKey = `${m.seg} ${m.base} ${m.index}`;
    this.segBase(m.seg);
    this.offset(m);
    this.c.op(this.op.i32_add).set(this.l);
  }

  /** The fast TLB's check of the linear address in `l` for an access of `size` (`kind`: the rk or wk local); leaves `t` = the entry's byte offset. Misses leave. */
  private tlb(size: number, kind: number): void {
    const c = this.c, op = this.op;
    c.get(this.l).i32(9).op(op.i32_shr_u).i32(TLB_MASK << 3).op(op.i32_and).get(kind).op(op.i32_or).tee(this.t);
    c.mem(op.i32_load, this.area + AREA.fastTlb);
    c.get(this.l).i32(size === 4 ? ALIGNED_PAGE : -4096).op(op.i32_and).op(op.i32_ne);
    if (size === 2) c.get(this.l).i32(4095).op(op.i32_and).i32(4095).op(op.i32_eq).op(op.i32_or);
    c.if(false);
    this.miss();
    c.end();
    // o = the RAM offset.
    c.get(this.t).mem(op.i32_load, this.area + AREA.fastTlb + 4).get(this.l).op(op.i32_add).set(this.o);
  }

  /**
   * The site of an access of `kind` through the address form `siteKey` in this block: the byte
   * address of its memo in the CPU's area, two words: the linear page its last access hit (-1: none)
   * and that page's RAM offset less its linear base, so that the next access to the same page
   * (aligned below it, as the fast TLB's compare) costs one compare and one add instead of the TLB
   * lookup (as rv32's PageSites). In memory, not locals: a memo local a loop carries was a value
   * TurboFan stored to its stack on every pass (the merge of the hit and the refill), a memo in memory
   * is stored on a refill only. A memo is checked by its page before use, so sites of one kind may
   * share one (past SITE_SLOTS); the prologue clears the region's memos, since the fast TLB and page
   * flags may change between calls (not during one: no instruction that changes paging is
   * translated; a store site keeps only a page without flags, which are set outside translated code).
   */
  private site(kind: 'r' | 'w', size: number): number {
    const key = `${kind}${size} ${this.siteKey}`;
    let s = this.sites.get(key);
    if (s === undefined) {
      const n = kind === 'r' ? this.loadSites++ : this.storeSites++;
      s = this.area + AREA.sites + 8 * ((n % SITE_SLOTS) + (kind === 'r' ? 0 : SITE_SLOTS));
      this.sites.set(key, s);
      this.siteSlots.add(s);
    }
    return s;
  }

  /** Pushes whether linear `l` is on the page of the memo at `at` (with the alignment an access of `size` needs there). */
  private onSite(size: number, at: number): void {
    const c = this.c, op = this.op;
    c.get(this.l).i32(size === 4 ? ALIGNED_PAGE : size === 2 ? -4095 : -4096).op(op.i32_and).i32(0).mem(op.i32_load, at).op(op.i32_eq);
  }

  /** The memo at `at` = the page of linear `l` at RAM offset `o`. */
  private setSite(at: number): void {
    const c = this.c, op = this.op;
    c.i32(0).get(this.o).get(this.l).op(op.i32_sub).mem(op.i32_store, at + 4);
    c.i32(0).get(this.l).i32(-4096).op(op.i32_and).mem(op.i32_store, at);
  }

  /** Pushes the value (int32; unsigned below 32 bits) of `size` bytes at linear `l`. */
  private loadL(size: number): void {
    const c = this.c, op = this.op;
    const at = this.site('r', size), flat = this.flat;
    if (flat !== null) {
      // In the flat window (likely): RAM at the linear address less RAM's base, as the TLB would map it; else the memo.
      c.get(this.l).i32(flat.lo).op(op.i32_sub).get(this.fl).op(op.i32_lt_u).if(true);
      c.get(this.l).i32(flat.ramBase).op(op.i32_sub).set(this.o);
      c.else();
    }
    this.onSite(size, at);
    // Likely: TurboFan lays the memo's hit out as the fall-through and the refill out of line (deferred).
    c.if(true);
    c.i32(0).mem(op.i32_load, at + 4).get(this.l).op(op.i32_add).set(this.o);
    c.else();
    this.tlb(size, this.rk);
    this.setSite(at);
    c.end();
    if (flat !== null) c.end();
    c.get(this.o).mem(size === 4 ? op.i32_load : size === 2 ? op.i32_load16_u : op.i32_load8_u);
  }

  /**
   * Stores local `val` at linear `l`. `last`: the instruction's last effect (MOV, SETcc, NOT), which leaves
   * after it right there when the store dropped a translation, else `slow` says so at its end (block()).
   */
  private storeL(size: number, val: number, last = false): void {
    const c = this.c, op = this.op;
    const store = size === 4 ? op.i32_store : size === 2 ? op.i32_store16 : op.i32_store8;
    // No store of this instruction asked yet: a constant on the fast paths, not a value a loop carries.
    if (!last) { this.stores = true; c.i32(0).set(this.slow); }
    const at = this.site('w', size);
    this.onSite(size, at);
    c.if(true); // likely, as loadL's
    c.i32(0).mem(op.i32_load, at + 4).get(this.l).op(op.i32_add).get(val).mem(store);
    c.else();
    this.tlb(size, this.wk);
    c.get(this.o).get(val).mem(store);
    c.get(this.o).i32(12).op(op.i32_shr_u).mem(op.i32_load8_u, this.flagsAt).if(false);
    c.get(this.o).i32(size).i32(this.off).i32(this.next()).get(this.r[4]).get(this.steps).i32(this.k).op(op.i32_add).i32(WRITTEN).callIndirect(this.kit.wasm.indirectType(0, WRITTEN));
    if (last) {
      c.if(false);
      this.exit(this.next(), this.k + 1);
      c.end();
    } else c.set(this.slow);
    c.else();
    this.setSite(at);
    c.end();
    c.end();
  }

  /** Pushes the r/m operand. */
  private readRm(m: Rm, size: number): void {
    if (m.rm >= 0) return this.getReg(m.rm, size);
    this.linear(m);
    this.loadL(size);
  }

  /** Writes local `val` to the r/m operand (a memory operand's address computed here); `last`: as storeL. */
  private writeRm(m: Rm, size: number, val: number, last = false): void {
    if (m.rm >= 0) return this.setReg(m.rm, size, val);
    this.linear(m);
    this.storeL(size, val, last);
  }

  private getReg(r: number, size: number): void {
    const c = this.c, op = this.op;
    if (size === 4) c.get(this.r[r]);
    else if (size === 2) c.get(this.r[r]).i32(65535).op(op.i32_and);
    else if (r < 4) c.get(this.r[r]).i32(255).op(op.i32_and);
    else c.get(this.r[r - 4]).i32(8).op(op.i32_shr_u).i32(255).op(op.i32_and);
  }

  /** Register `r` of `size` = local `val`. */
  private setReg(r: number, size: number, val: number): void {
    const c = this.c, op = this.op;
    if (size === 4) { this.regsWritten[r] = 1; c.get(val).set(this.r[r]); return; }
    const x = size === 1 && r >= 4 ? r - 4 : r;
    this.regsWritten[x] = 1;
    if (size === 2) c.get(this.r[x]).i32(-65536).op(op.i32_and).get(val).i32(65535).op(op.i32_and).op(op.i32_or).set(this.r[x]);
    else if (r < 4) c.get(this.r[x]).i32(-256).op(op.i32_and).get(val).i32(255).op(op.i32_and).op(op.i32_or).set(this.r[x]);
    else c.get(this.r[x]).i32(-65281).op(op.i32_and).get(val).i32(255).op(op.i32_and).i32(8).op(op.i32_shl).op(op.i32_or).set(this.r[x]);
  }

  // --- Flags -----------------------------------------------------------------------------------

  /**
   * Records the flag state of `op` on locals a, b, r (jit.ts setCc); INC/DEC's kept carry is `kept`
   * (keptCarry: a local, or KEPT_SAME). `lazy` (ADD, SUB, CMP, NEG, INC, DEC: r is a + b or a - b, unwrapped as
   * the state keeps it) leaves the local cr as it was and sets CS_LAZY_R instead (crGet, crRuntime).
   */
  private setCc(cc: CcOp, a: number, b: number, r: number, bits: number, lazy = false, kept = KEPT_SAME): void {
    const c = this.c, op = this.op;
    this.stateSets++;
    c.get(a).set(this.ca).get(b).set(this.cb);
    if (!lazy) c.get(r).set(this.cr);
    const packed = packState(cc, bits, 0, 0) | (lazy ? CS_LAZY_R : 0);
    if (cc !== CcOp.Inc && cc !== CcOp.Dec) c.i32(packed).set(this.cs);
    else if (kept === KEPT_SAME) c.get(this.cs).i32(CS_KEPT_BIT).op(op.i32_and).i32(packed).op(op.i32_or).set(this.cs);
    else c.get(kept).i32(CS_KEPT).op(op.i32_shl).i32(packed).op(op.i32_or).set(this.cs);
  }

  /**
   * The carry an INC/DEC keeps: KEPT_SAME when it is the state's own kept bit (after an INC/DEC, known: memset's
   * `inc esi; dec ecx; jnz` carried it through a shift and two masks a pass) or nothing reads it (`dead`), else
   * the local C holding the carry.
   */
  private keptCarry(dead: boolean): number {
    if (dead) { wasmRegionStats.deadKeptCarries++; return KEPT_SAME; }
    if (this.known === 'inc32' || this.known === 'dec32') { this.stateReads++; return KEPT_SAME; }
    this.carry();
    this.c.set(this.C);
    return this.C;
  }

  /** Pushes the state's result (ccR) under the known state: a lazy one's a + b or a - b, else the local cr. */
  private crGet(): void {
    const c = this.c, op = this.op;
    switch (this.known) {
      case 'add32': case 'inc32': c.get(this.ca).get(this.cb).op(op.i32_add); return;
      case 'cmp32': case 'cmp8': case 'dec32': c.get(this.ca).get(this.cb).op(op.i32_sub); return;
      default: c.get(this.cr);
    }
  }

  /** Pushes the state's result (ccR) under a state known only at run time (CS_LAZY_R: a + b for ADD/INC, else a - b). */
  private crRuntime(): void {
    const c = this.c, op = this.op;
    c.get(this.ca).get(this.cb).op(op.i32_add).get(this.ca).get(this.cb).op(op.i32_sub);
    c.get(this.cs).i32(0xff).op(op.i32_and).tee(this.ce).i32(CcOp.Add).op(op.i32_eq).get(this.ce).i32(CcOp.Inc).op(op.i32_eq).op(op.i32_or).op(op.select);
    c.get(this.cr).get(this.cs).i32(CS_LAZY_R).op(op.i32_and).op(op.select);
  }

  /** A pending shift's state (jit.ts SHIFT_PENDING): result `r`, CF/OF bits from the stack; fa and the kept carry stay. */
  private setShiftState(r: number): void {
    const c = this.c, op = this.op;
    this.stateSets++;
    c.set(this.ca).get(r).set(this.cr);
    c.get(this.cs).i32(CS_FA_MASK | CS_KEPT_BIT).op(op.i32_and).i32(packState(SHIFT_PENDING, 32, 0, 0)).op(op.i32_or).set(this.cs);
  }

  /** Pushes the flag state's op (CcOp or SHIFT_PENDING) from `cs`. */
  private csCop(): void {
    this.c.get(this.cs).i32(24).op(this.op.i32_shl).i32(24).op(this.op.i32_shr_s);
  }

  /** Pushes its width in bits. */
  private csBits(): void {
    this.c.get(this.cs).i32(CS_BITS).op(this.op.i32_shr_u).i32(0xff).op(this.op.i32_and);
  }

  /** Pushes its arithmetic flags (while the op is None). */
  private csFa(): void {
    this.c.get(this.cs).i32(CS_FA).op(this.op.i32_shr_u).i32(ARITH).op(this.op.i32_and);
  }

  /** Pushes its kept carry (0/1). */
  private csKept(): void {
    this.c.get(this.cs).i32(CS_KEPT).op(this.op.i32_shr_u);
  }

  /** Pushes the carry (0/1) of the current flag state. */
  private carry(): void {
    const c = this.c, op = this.op;
    this.stateReads++;
    switch (this.known) {
      case 'cmp32': case 'cmp8': c.get(this.ca).get(this.cb).op(op.i32_lt_u); return;
      case 'logic32': case 'logic8': c.i32(0); return;
      case 'add32': this.crGet(); c.get(this.ca).op(op.i32_lt_u); return;
      case 'inc32': case 'dec32': this.csKept(); return;
      case 'shift': c.get(this.ca).i32(1).op(op.i32_and); return;
    }
    // A state known only at run time. An INC/DEC's kept carry on a branch of its own: a loop whose
    // head's INC/DEC follows the back edge's INC/DEC (memset's `inc esi; dec ecx; jnz`) goes that
    // way on every pass instead of computing every formula and selecting. Else flags.ts carryAfter's
    // formulas without a call (selects). The carry (borrow) out of the sign bit: bit cbits - 1 of the
    // carries (borrows) vector.
    const { ca, cb } = this;
    const cop = this.cq, cr = this.ce, y = this.cy;
    this.csCop();
    c.tee(cop).i32(CcOp.Inc).op(op.i32_sub).i32(2).op(op.i32_lt_u).if();
    this.csKept();
    c.set(y);
    c.else();
    this.crRuntime();
    c.set(cr);
    const top = () => { this.csBits(); c.i32(1).op(op.i32_sub).op(op.i32_shr_u).i32(1).op(op.i32_and); };
    c.get(ca).i32(-1).op(op.i32_xor).get(cb).op(op.i32_and).get(ca).i32(-1).op(op.i32_xor).get(cb).op(op.i32_or).get(cr).op(op.i32_and).op(op.i32_or);
    top();
    c.get(ca).get(cb).op(op.i32_and).get(ca).get(cb).op(op.i32_or).get(cr).i32(-1).op(op.i32_xor).op(op.i32_and).op(op.i32_or);
    top();
    c.get(cop).i32(CcOp.Sub).op(op.i32_eq).op(op.select);
    c.set(y);
    this.csFa();
    c.i32(CF).op(op.i32_and).get(y).get(cop).op(op.i32_eqz).op(op.select);
    c.set(y).get(ca).i32(1).op(op.i32_and).get(y).get(cop).i32(SHIFT_PENDING).op(op.i32_eq).op(op.select);
    c.set(y).i32(0).get(y).get(cop).i32(CcOp.Logic).op(op.i32_eq).op(op.select);
    c.set(y);
    c.end();
    c.get(y);
  }

  /** Pushes the flag state as the host's functions take it (jit-flags.ts condOf, flagsOfState): op, a, b, r, bits, kept carry, flags. */
  private stateArgs(): void {
    this.csCop();
    this.c.get(this.ca).get(this.cb);
    this.crRuntime();
    this.csBits();
    this.csKept();
    this.csFa();
  }

  /** Pushes condition `cc` (0/1) of the current flag state. */
  private cond(cc: number): void {
    const c = this.c, op = this.op;
    this.stateReads++;
    const kind = cc >> 1;
    if (!this.knownTest(kind)) {
      c.i32(cc);
      this.stateArgs();
      c.i32(COND).callIndirect(this.kit.wasm.indirectType(0, COND));
      return;
    }
    if (cc & 1) c.op(op.i32_eqz);
  }

  /**
   * Emits the test of condition kind `kind` (cc >> 1) under the known flag state (KNOWN_TESTS);
   * false, emitting nothing, when the host must answer. No closures: it runs for every condition
   * translated, twice (scan and generate).
   */
  private knownTest(kind: number): boolean {
    const test = this.known === null ? null : KNOWN_TESTS[this.known][kind];
    if (test === null) return false;
    const c = this.c, op = this.op;
    const { ca, cb } = this;
    switch (test) {
      case 'ltu': c.get(ca).get(cb).op(op.i32_lt_u); break;
      case 'eq': c.get(ca).get(cb).op(op.i32_eq); break;
      case 'leu': c.get(ca).get(cb).op(op.i32_le_u); break;
      case 'lts': c.get(ca).get(cb).op(op.i32_lt_s); break;
      case 'les': c.get(ca).get(cb).op(op.i32_le_s); break;
      case 'subNeg': c.get(ca).get(cb).op(op.i32_sub).i32(0).op(op.i32_lt_s); break;
      case 'no': c.i32(0); break;
      case 'zero': this.crGet(); c.op(op.i32_eqz); break;
      case 'neg': this.crGet(); c.i32(0).op(op.i32_lt_s); break;
      case 'notPos': this.crGet(); c.i32(0).op(op.i32_le_s); break;
      case 'bit0': c.get(ca).i32(1).op(op.i32_and); break;
      case 'bit7': this.crGet(); c.i32(7).op(op.i32_shr_u).i32(1).op(op.i32_and); break;
      case 'byteLts': c.get(ca).i32(24).op(op.i32_shl).get(cb).i32(24).op(op.i32_shl).op(op.i32_lt_s); break;
      case 'byteLes': c.get(ca).i32(24).op(op.i32_shl).get(cb).i32(24).op(op.i32_shl).op(op.i32_le_s); break;
      case 'zero8': this.crGet(); c.i32(255).op(op.i32_and).op(op.i32_eqz); break;
      case 'zero8OrBit7': c.get(this.cr).i32(255).op(op.i32_and).op(op.i32_eqz).get(this.cr).i32(7).op(op.i32_shr_u).i32(1).op(op.i32_and).op(op.i32_or); break;
      case 'addCarry': this.crGet(); c.get(ca).op(op.i32_lt_u); break;
      case 'addBe': this.crGet(); c.get(ca).op(op.i32_lt_u); this.crGet(); c.op(op.i32_eqz).op(op.i32_or); break;
    }
    return true;
  }

  /**
   * The ALU op `aluOp` (ADD OR ADC SBB AND SUB XOR CMP) on locals A and B: the result in R (wrapped
   * to `size`), the flag state recorded; the caller writes R back (not for CMP). As jit.ts alu.
   */
  private alu(aluOp: number, size: number): void {
    const c = this.c, op = this.op;
    const { A, B, R } = this;
    let kn: Known;
    let cc: CcOp;
    if (aluOp === 2 || aluOp === 3) {
      this.carry();
      c.set(this.C);
      c.get(A).get(B).op(aluOp === 2 ? op.i32_add : op.i32_sub).get(this.C).op(aluOp === 2 ? op.i32_add : op.i32_sub).set(R);
      kn = null;
      cc = aluOp === 2 ? CcOp.Add : CcOp.Sub;
    } else {
      const o = [op.i32_add, op.i32_or, 0, 0, op.i32_and, op.i32_sub, op.i32_xor, op.i32_sub][aluOp] as Opcode;
      c.get(A).get(B).op(o).set(R);
      kn = aluOp === 0 ? 'add32' : aluOp === 5 || aluOp === 7 ? 'cmp32' : 'logic32';
      cc = aluOp === 0 ? CcOp.Add : aluOp === 5 || aluOp === 7 ? CcOp.Sub : CcOp.Logic;
    }
    // 8 bits: the state keeps the unwrapped result (as jit.ts), the destination its low byte.
    this.setCc(cc, A, B, R, size * 8, aluOp === 0 || aluOp === 5 || aluOp === 7);
    if (size === 1) c.get(R).i32(255).op(op.i32_and).set(R);
    this.known = size === 4 ? kn : kn === 'cmp32' ? 'cmp8' : kn === 'logic32' ? 'logic8' : null;
  }

  /** ALU on r/m (destination unless CMP/TEST `toRm` false) and B (already set). A memory destination is written before the flags. */
  private aluRm(aluOp: number, size: number, m: Rm, toRm: boolean): void {
    const c = this.c;
    if (m.rm >= 0) {
      this.getReg(m.rm, size);
      c.set(this.A);
      this.alu(aluOp, size);
      if (toRm && aluOp !== 7) this.setReg(m.rm, size, this.R);
      return;
    }
    this.linear(m);
    this.loadL(size);
    c.set(this.A);
    if (!toRm || aluOp === 7) return this.alu(aluOp, size);
    // Read-modify-write: the store may miss (leave before the instruction) after the load, so the
    // flag state is recorded after the store; compute into R first.
    this.aluResultOnly(aluOp, size);
    this.storeL(size, this.R);
    // Recompute the flag state (R unwrapped for 8 bits).
    this.alu(aluOp, size);
  }

  /** R = A op B (wrapped to `size`) without touching the flag state (ADC/SBB read the carry). */
  private aluResultOnly(aluOp: number, size: number): void {
    const c = this.c, op = this.op;
    if (aluOp === 2 || aluOp === 3) {
      const o = aluOp === 2 ? op.i32_add : op.i32_sub;
      const saved = this.known;
      this.carry();
      this.known = saved;
      c.set(this.C).get(this.A).get(this.B).op(o).get(this.C).op(o);
    } else {
      const o = [op.i32_add, op.i32_or, 0, 0, op.i32_and, op.i32_sub, op.i32_xor, op.i32_sub][aluOp] as Opcode;
      c.get(this.A).get(this.B).op(o);
    }
    if (size === 1) c.i32(255).op(op.i32_and);
    c.set(this.R);
  }

  /**
   * Whether the instruction at this.p is the next of this block and sets the whole flag state from
   * registers or an immediate alone (an ALU op but ADC/SBB, TEST): nothing can leave or read the
   * flags between, so the current instruction's flag state is never seen (quicksort's `inc ecx;
   * cmp edx, eax; jb`: its INC computed a kept carry from the back edge's state, TurboFan keeping a
   * dead compare of it on every pass).
   */
  private flagsOverwrittenNext(): boolean {
    const next = this.k + 1, at = this.p;
    if (next >= MAX_INSNS || next >= (this.inlined?.insns ?? this.curLen)) return false;
    if (this.stopAt !== undefined && this.stopAt(at - this.pageStart)) return false;
    return this.setsAllFlagsAt(at);
  }

  /** Whether the instruction at `at` sets the whole flag state from registers or an immediate alone, leaving nowhere before (flagsOverwrittenNext, rotation). */
  private setsAllFlagsAt(at: number): boolean {
    const room = this.pageStart + 0x1000 - at;
    if (room < 2) return false;
    const b = this.u8[at], m = this.u8[at + 1];
    const regs = m >> 6 === 3, aluOp = (m >> 3) & 7;
    if (b < 0x40 && (b & 7) < 6) {
      if (b >> 3 === 2 || b >> 3 === 3) return false;
      const form = b & 7;
      return form <= 3 ? regs : room >= (form === 4 ? 2 : 5);
    }
    if (b === 0x80 || b === 0x81 || b === 0x83) return regs && aluOp !== 2 && aluOp !== 3 && room >= (b === 0x81 ? 6 : 3);
    return (b === 0x84 || b === 0x85) && regs;
  }

  // --- Instructions ----------------------------------------------------------------------------

  /**
   * One instruction: null when not translated (the block ends before it); 'end' after a jump; 'loopExit' after a Jcc back to the entry in a region.
   * jit-reach.ts mayReachHot decodes the opcodes translated here (and more) to skip scans: an opcode added here goes there too.
   */
  private insn(): Result {
    const c = this.c, op = this.op;
    let b = this.byte();
    this.override = -1;
    let opsize16 = false;
    while (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e || b === 0x64 || b === 0x65 || b === 0x66) {
      if (b === 0x66) opsize16 = true;
      else this.override = b >= 0x64 ? b - 0x60 : (b >> 3) & 3;
      b = this.byte();
    }
    if (opsize16) return this.mov16(b);
    if (b < 0x40 && (b & 7) < 6) {
      const aluOp = b >> 3, form = b & 7;
      if (form <= 3) {
        const size = form & 1 ? 4 : 1;
        const m = this.modrm();
        if (form <= 1) {
          this.getReg(m.reg, size);
          c.set(this.B);
          this.aluRm(aluOp, size, m, true);
          return 'ok';
        }
        this.getReg(m.reg, size);
        c.set(this.A);
        this.readRm(m, size);
        c.set(this.B);
        this.alu(aluOp, size);
        if (aluOp !== 7) this.setReg(m.reg, size, this.R);
        return 'ok';
      }
      const size = form === 4 ? 1 : 4;
      const imm = size === 1 ? this.byte() : this.imm32();
      this.getReg(0, size);
      c.set(this.A).i32(imm).set(this.B);
      this.alu(aluOp, size);
      if (aluOp !== 7) this.setReg(0, size, this.R);
      return 'ok';
    }
    if (b >= 0x40 && b <= 0x4f) { // INC/DEC r32
      const r = b & 7, dec = b >= 0x48;
      // The kept carry only when something may read it (under a state known at run time, a branch).
      const kept = this.keptCarry(this.flagsOverwrittenNext());
      c.get(this.r[r]).set(this.A).i32(1).set(this.B).get(this.A).i32(1).op(dec ? op.i32_sub : op.i32_add).set(this.R);
      this.setReg(r, 4, this.R);
      this.setCc(dec ? CcOp.Dec : CcOp.Inc, this.A, this.B, this.R, 32, true, kept);
      this.known = dec ? 'dec32' : 'inc32';
      return 'ok';
    }
    if (b >= 0x50 && b <= 0x57) { c.get(this.r[b & 7]).set(this.w); return this.push(); }
    if (b >= 0x58 && b <= 0x5f) {
      const r = b & 7;
      this.stackLoad(4);
      c.set(this.v);
      c.get(this.r[4]).i32(4).op(op.i32_add).set(this.r[4]);
      this.regsWritten[4] = 1;
      this.setReg(r, 4, this.v);
      return 'ok';
    }
    switch (b) {
      case 0x68: c.i32(this.imm32()).set(this.w); return this.push();
      case 0x6a: c.i32(this.imm8s()).set(this.w); return this.push();
      case 0x69: case 0x6b: {
        const m = this.modrm();
        const imm = b === 0x6b ? this.imm8s() : this.imm32();
        this.readRm(m, 4);
        c.set(this.A).i32(imm).set(this.B);
        this.imul2(m.reg);
        return 'ok';
      }
      case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
      case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f:
        return this.jcc(b & 15, this.imm8s());
      case 0x80: case 0x81: case 0x83: {
        const size = b === 0x80 ? 1 : 4;
        const m = this.modrm();
        const imm = b === 0x81 ? this.imm32() : b === 0x83 ? this.imm8s() : this.byte();
        c.i32(imm).set(this.B);
        this.aluRm(m.reg, size, m, true);
        return 'ok';
      }
      case 0x84: case 0x85: {
        const size = b & 1 ? 4 : 1;
        const m = this.modrm();
        this.getReg(m.reg, size);
        c.set(this.B);
        this.aluRm(4, size, m, false);
        return 'ok';
      }
      case 0x88: case 0x89: {
        const size = b & 1 ? 4 : 1;
        const m = this.modrm();
        this.getReg(m.reg, size);
        c.set(this.w);
        this.writeRm(m, size, this.w, true);
        return 'ok';
      }
      case 0x8a: case 0x8b: {
        const size = b & 1 ? 4 : 1;
        const m = this.modrm();
        this.readRm(m, size);
        c.set(this.v);
        this.setReg(m.reg, size, this.v);
        return 'ok';
      }
      case 0x8d: {
        const m = this.modrm();
        if (m.rm >= 0) return null;
        this.offset(m);
        c.set(this.v);
        this.setReg(m.reg, 4, this.v);
        return 'ok';
      }
      case 0x90: return 'ok';
      case 0x98: c.get(this.r[0]).i32(16).op(op.i32_shl).i32(16).op(op.i32_shr_s).set(this.r[0]); this.regsWritten[0] = 1; return 'ok';
      case 0x99: c.get(this.r[0]).i32(31).op(op.i32_shr_s).set(this.r[2]); this.regsWritten[2] = 1; return 'ok';
      case 0xa0: case 0xa1: case 0xa2: case 0xa3: {
        const size = b & 1 ? 4 : 1;
        const m: Rm = { reg: 0, rm: -1, base: -1, index: -1, scale: 0, disp: this.imm32(), seg: this.override >= 0 ? this.override : DS };
        if (b < 0xa2) {
          this.readRm(m, size);
          c.set(this.v);
          this.setReg(0, size, this.v);
        } else {
          this.getReg(0, size);
          c.set(this.w);
          this.writeRm(m, size, this.w, true);
        }
        return 'ok';
      }
      case 0xa8: case 0xa9: {
        const size = b === 0xa8 ? 1 : 4;
        const imm = size === 1 ? this.byte() : this.imm32();
        this.getReg(0, size);
        c.set(this.A).i32(imm).set(this.B);
        this.alu(4, size);
        return 'ok';
      }
      case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
        c.i32(this.byte()).set(this.v);
        this.setReg(b & 7, 1, this.v);
        return 'ok';
      case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        c.i32(this.imm32()).set(this.r[b & 7]);
        this.regsWritten[b & 7] = 1;
        return 'ok';
      case 0xc1: case 0xd1: case 0xd3: {
        const m = this.modrm();
        const count = b === 0xd1 ? 1 : b === 0xd3 ? null : this.byte() & 31;
        if (m.reg === 2 || m.reg === 3) return null; // RCL, RCR: the interpreter
        if (m.reg < 2) this.rotate(m, m.reg === 1, count);
        else this.shift(m, m.reg, count);
        return 'ok';
      }
      case 0xc3:
        this.stackLoad(4);
        c.set(this.v);
        c.get(this.r[4]).i32(4).op(op.i32_add).set(this.r[4]);
        this.regsWritten[4] = 1;
        c.get(this.v);
        this.gotoIndirect(this.k + 1);
        return 'end';
      case 0xc6: case 0xc7: {
        const size = b & 1 ? 4 : 1;
        const m = this.modrm();
        if (m.reg !== 0) return null;
        c.i32(size === 4 ? this.imm32() : this.byte()).set(this.w);
        this.writeRm(m, size, this.w, true);
        return 'ok';
      }
      case 0xc9: { // LEAVE
        c.get(this.ssB).get(this.r[5]).op(op.i32_add).set(this.l);
        this.siteKey = 'stack';
        this.loadL(4);
        c.set(this.v);
        c.get(this.r[5]).i32(4).op(op.i32_add).set(this.r[4]);
        c.get(this.v).set(this.r[5]);
        this.regsWritten[4] = 1; this.regsWritten[5] = 1;
        return 'ok';
      }
      case 0xe8: {
        const d = this.imm32();
        const ret = this.next();
        this.targets.push(ret);
        this.returns.push(ret);
        c.get(this.pb).i32(ret).op(op.i32_add).set(this.w);
        this.push();
        this.leaveIfSlow();
        this.goto(this.p + d - this.pageStart, this.k + 1);
        return 'end';
      }
      case 0xe9: return this.jmp(this.imm32());
      case 0xeb: return this.jmp(this.imm8s());
      case 0xf6: case 0xf7: return this.group3(b === 0xf7 ? 4 : 1);
      case 0xfe: case 0xff: {
        const size = b === 0xff ? 4 : 1;
        const m = this.modrm();
        if (m.reg <= 1) {
          const dec = m.reg === 1;
          const kept = this.keptCarry(false);
          this.readRm(m, size);
          c.set(this.A).i32(1).set(this.B);
          c.get(this.A).i32(1).op(dec ? op.i32_sub : op.i32_add).set(this.R);
          c.get(this.R);
          if (size === 1) c.i32(255).op(op.i32_and);
          c.set(this.w);
          this.writeRm(m, size, this.w);
          this.setCc(dec ? CcOp.Dec : CcOp.Inc, this.A, this.B, this.R, size * 8, true, kept);
          this.known = size === 4 ? (dec ? 'dec32' : 'inc32') : null;
          return 'ok';
        }
        if (size !== 4) return null;
        if (m.reg === 6) { this.readRm(m, 4); c.set(this.w); return this.push(); }
        if (m.reg === 4) { this.readRm(m, 4); this.gotoIndirect(this.k + 1); return 'end'; }
        if (m.reg === 2) {
          const ret = this.next();
          this.targets.push(ret);
          this.readRm(m, 4);
          c.set(this.v);
          c.get(this.pb).i32(ret).op(op.i32_add).set(this.w);
          this.push();
          this.leaveIfSlow();
          c.get(this.v);
          this.gotoIndirect(this.k + 1);
          return 'end';
        }
        return null;
      }
      case 0x0f: return this.twoByte();
      default: return null;
    }
  }

  /** After a store in an instruction that then jumps: leave after it when the store asked (as `block` does after others). */
  private leaveIfSlow(): void {
    const c = this.c;
    this.stores = false;
    c.get(this.slow).if(false);
    this.exit(this.next(), this.k + 1);
    c.end();
  }

  /** PUSH local `w` (32-bit stack). */
  private push(): Result {
    const c = this.c, op = this.op;
    c.get(this.ssB).get(this.r[4]).i32(4).op(op.i32_sub).op(op.i32_add).set(this.l);
    this.siteKey = 'stack';
    this.storeL(4, this.w);
    c.get(this.r[4]).i32(4).op(op.i32_sub).set(this.r[4]);
    this.regsWritten[4] = 1;
    return 'ok';
  }

  /** Pushes the 32-bit value at SS:ESP. */
  private stackLoad(size: number): void {
    const c = this.c, op = this.op;
    c.get(this.ssB).get(this.r[4]).op(op.i32_add).set(this.l);
    this.siteKey = 'stack';
    this.loadL(size);
  }

  /** reg = A * B (IMUL two and three operands): CF = OF = the product did not fit; a pending shift's state as jit.ts. */
  private imul2(reg: number): void {
    const c = this.c, op = this.op;
    c.get(this.A).op(op.i64_extend_i32_s).get(this.B).op(op.i64_extend_i32_s).op(op.i64_mul).set(this.i64a);
    c.get(this.i64a).op(op.i32_wrap_i64).set(this.R);
    this.setReg(reg, 4, this.R);
    c.i32(CF | OF).i32(0).get(this.i64a).get(this.R).op(op.i64_extend_i32_s).op(op.i64_ne).op(op.select);
    this.setShiftState(this.R);
    this.known = 'shift';
  }

  private shift(m: Rm, kind: number, count: number | null): void {
    if (count === 0) return;
    const c = this.c, op = this.op;
    const emit = () => {
      this.readRm(m, 4);
      c.set(this.v);
      const n = () => (count === null ? c.get(this.C) : c.i32(count));
      if (kind === 5) { // SHR
        c.get(this.v); n(); c.op(op.i32_shr_u).set(this.R);
        c.get(this.v); n(); c.i32(1).op(op.i32_sub).op(op.i32_shr_u).i32(1).op(op.i32_and).set(this.B);
        // OF = the operand's top bit for a count of 1, else 0.
        if (count === null) c.get(this.v).i32(31).op(op.i32_shr_u).i32(0).get(this.C).i32(1).op(op.i32_eq).op(op.select).set(this.A);
        else if (count === 1) c.get(this.v).i32(31).op(op.i32_shr_u).set(this.A);
        else c.i32(0).set(this.A);
      } else if (kind === 7) { // SAR
        c.get(this.v); n(); c.op(op.i32_shr_s).set(this.R);
        c.get(this.v); n(); c.i32(1).op(op.i32_sub).op(op.i32_shr_s).i32(1).op(op.i32_and).set(this.B);
        c.i32(0).set(this.A);
      } else { // SHL (and SAL)
        c.get(this.v); n(); c.op(op.i32_shl).set(this.R);
        c.get(this.v).i32(32); n(); c.op(op.i32_sub).op(op.i32_shr_u).i32(1).op(op.i32_and).set(this.B);
        c.get(this.R).i32(31).op(op.i32_shr_u).get(this.B).op(op.i32_xor).set(this.A);
      }
      c.get(this.R).set(this.w);
      this.writeRm(m, 4, this.w);
      c.get(this.B).get(this.A).i32(OF).op(op.i32_mul).op(op.i32_or);
      this.setShiftState(this.R);
    };
    if (count === null) {
      c.get(this.r[1]).i32(31).op(op.i32_and).tee(this.C).if();
      emit();
      c.end();
      this.known = null;
    } else {
      emit();
      this.known = 'shift';
    }
  }

  /**
   * ROL/ROR r/m32 (`right`) by a constant count or by CL (`count` null; a zero count changes nothing, flags included):
   * CF and OF from the result (I386Cpu.group2), SF, ZF, AF and PF kept from the state before, which becomes None with
   * those flags. Where the next instruction of the block sets every flag from registers (blake2s' and chacha's
   * `ror; add`), no flag is worked out: nothing can read them.
   */
  private rotate(m: Rm, right: boolean, count: number | null): void {
    if (count === 0) return;
    const c = this.c, op = this.op;
    const dead = this.flagsOverwrittenNext();
    wasmRegionStats.rotates++;
    if (dead) wasmRegionStats.flaglessRotates++;
    const emit = () => {
      this.readRm(m, 4);
      c.set(this.v);
      c.get(this.v);
      if (count === null) c.get(this.C);
      else c.i32(count);
      c.op(right ? op.i32_rotr : op.i32_rotl).set(this.R);
      this.writeRm(m, 4, this.R, dead);
      if (dead) return;
      // CF: the bit rotated in last; OF: CF xor the result's top bit (ROL), the top two bits' xor (ROR).
      if (right) c.get(this.R).i32(31).op(op.i32_shr_u).get(this.R).i32(30).op(op.i32_shr_u).op(op.i32_xor).i32(1).op(op.i32_and);
      else c.get(this.R).i32(1).op(op.i32_and).get(this.R).i32(31).op(op.i32_shr_u).op(op.i32_xor);
      c.i32(11).op(op.i32_shl).get(this.R).i32(right ? 31 : 0).op(op.i32_shr_u).i32(1).op(op.i32_and).op(op.i32_or);
      this.keptFlags();
      c.op(op.i32_or).set(this.A);
      this.setNone(this.A);
    };
    if (count === null) {
      c.get(this.r[1]).i32(31).op(op.i32_and).tee(this.C).if();
      emit();
      c.end();
    } else {
      emit();
    }
    if (!dead) this.known = null;
  }

  /**
   * Pushes SF, ZF, AF and PF of the current flag state (what a rotate keeps): worked out from the result and operands
   * where the state is known at translation time, else from the host (flagsOfState).
   */
  private keptFlags(): void {
    const c = this.c, op = this.op;
    this.stateReads++;
    const k = this.known;
    if (k === null) {
      this.stateArgs();
      c.i32(FLAGS).callIndirect(this.kit.wasm.indirectType(0, FLAGS));
      c.i32(SF | ZF | AF | PF).op(op.i32_and);
      return;
    }
    const r = this.cy;
    this.crGet();
    c.set(r);
    this.szpOf(r, k === 'cmp8' || k === 'logic8' ? 8 : 32);
    // AF: the carry (borrow) into bit 4 of an ADD/SUB/CMP/INC/DEC; a logic op or a shift clears it.
    if (k !== 'logic32' && k !== 'logic8' && k !== 'shift') c.get(this.ca).get(this.cb).op(op.i32_xor).get(r).op(op.i32_xor).i32(AF).op(op.i32_and).op(op.i32_or);
  }

  /** Pushes ZF, SF and PF (EFLAGS' bits) of local `r`'s low `bits` (8, 16 or 32; the bits above them ignored). */
  private szpOf(r: number, bits: number): void {
    const c = this.c, op = this.op;
    c.get(r);
    if (bits < 32) c.i32(bits === 8 ? 0xff : 0xffff).op(op.i32_and);
    c.op(op.i32_eqz).i32(6).op(op.i32_shl); // ZF
    c.get(r).i32(bits - 8).op(op.i32_shr_u).i32(SF).op(op.i32_and).op(op.i32_or); // SF: bit bits - 1
    c.get(r).i32(0xff).op(op.i32_and).op(op.i32_popcnt).i32(1).op(op.i32_and).i32(1).op(op.i32_xor).i32(2).op(op.i32_shl).op(op.i32_or); // PF: even parity of the low byte
  }

  /** The flag state None with the arithmetic flags in local `fa` (rotates, 16-bit shifts); the kept carry stays. */
  private setNone(fa: number): void {
    const c = this.c, op = this.op;
    this.stateSets++;
    c.get(this.cs).i32(CS_KEPT_BIT).op(op.i32_and).get(fa).i32(CS_FA).op(op.i32_shl).op(op.i32_or).i32(packState(CcOp.None, 32, 0, 0)).op(op.i32_or).set(this.cs);
  }

  /**
   * SHL/SHR/SAR r/m16 by 1 or an immediate (XZ's range decoder in the Linux boot: `shr $5, %ax` on its 16-bit
   * probabilities, 2 M a boot, each a block's end): I386Cpu.group2's flags (SF, ZF, PF of the 16-bit result, AF 0, CF the
   * last bit out, OF), the state None with them; none where the next instruction sets every flag from registers. By CL,
   * rotates: the interpreter.
   */
  private shift16(b: number): Result {
    const c = this.c, op = this.op;
    const m = this.modrm();
    const kind = m.reg;
    if (kind < 4) return null;
    const n = b === 0xd1 ? 1 : this.byte() & 31;
    if (n === 0) return 'ok';
    const dead = this.flagsOverwrittenNext();
    this.readRm(m, 2);
    c.set(this.v);
    // The result in R, CF in B, OF in A.
    if (kind === 5) { // SHR
      c.get(this.v).i32(n).op(op.i32_shr_u).set(this.R);
      c.get(this.v).i32(n - 1).op(op.i32_shr_u).i32(1).op(op.i32_and).set(this.B);
      if (n === 1) c.get(this.v).i32(15).op(op.i32_shr_u).set(this.A);
      else c.i32(0).set(this.A);
    } else if (kind === 7) { // SAR: on the sign-extended value
      c.get(this.v).i32(16).op(op.i32_shl).i32(16).op(op.i32_shr_s).set(this.v);
      c.get(this.v).i32(n).op(op.i32_shr_s).i32(0xffff).op(op.i32_and).set(this.R);
      c.get(this.v).i32(n - 1).op(op.i32_shr_s).i32(1).op(op.i32_and).set(this.B);
      c.i32(0).set(this.A);
    } else { // SHL, SAL
      c.get(this.v).i32(n).op(op.i32_shl).i32(0xffff).op(op.i32_and).set(this.R);
      if (n <= 16) c.get(this.v).i32(16 - n).op(op.i32_shr_u).i32(1).op(op.i32_and).set(this.B);
      else c.i32(0).set(this.B);
      c.get(this.R).i32(15).op(op.i32_shr_u).get(this.B).op(op.i32_xor).set(this.A);
    }
    this.writeRm(m, 2, this.R, dead);
    if (dead) { wasmRegionStats.flaglessShifts16++; return 'ok'; }
    this.szpOf(this.R, 16);
    c.get(this.B).op(op.i32_or).get(this.A).i32(11).op(op.i32_shl).op(op.i32_or).set(this.C);
    this.setNone(this.C);
    this.known = null;
    return 'ok';
  }

  private group3(size: number): Result {
    const c = this.c, op = this.op;
    const m = this.modrm();
    const kind = m.reg;
    if (kind === 0 || kind === 1) {
      c.i32(size === 4 ? this.imm32() : this.byte()).set(this.B);
      this.aluRm(4, size, m, false);
      return 'ok';
    }
    if (size !== 4) return null;
    if (kind === 2) { // NOT
      this.readRm(m, 4);
      c.i32(-1).op(op.i32_xor).set(this.w);
      this.writeRm(m, 4, this.w, true);
      return 'ok';
    }
    if (kind === 3) { // NEG: SUB from 0
      this.readRm(m, 4);
      c.set(this.B).i32(0).set(this.A);
      c.get(this.A).get(this.B).op(op.i32_sub).set(this.w);
      this.writeRm(m, 4, this.w);
      this.alu(5, 4);
      return 'ok';
    }
    if (kind === 4 || kind === 5) { // MUL, IMUL: EDX:EAX = EAX * r/m32
      const ext = kind === 5 ? op.i64_extend_i32_s : op.i64_extend_i32_u;
      this.readRm(m, 4);
      c.op(ext).get(this.r[0]).op(ext).op(op.i64_mul).set(this.i64a);
      c.get(this.i64a).op(op.i32_wrap_i64).set(this.r[0]);
      c.get(this.i64a).i64(32).op(op.i64_shr_u).op(op.i32_wrap_i64).set(this.r[2]);
      this.regsWritten[0] = 1; this.regsWritten[2] = 1;
      c.i32(CF | OF).i32(0).get(this.r[2]);
      if (kind === 5) c.get(this.r[0]).i32(31).op(op.i32_shr_s).op(op.i32_ne);
      c.op(op.select);
      this.setShiftState(this.r[0]);
      this.known = 'shift';
      return 'ok';
    }
    // DIV, IDIV: a zero divisor or a quotient past 32 bits leaves for the interpreter (#DE there).
    this.readRm(m, 4);
    c.set(this.v);
    const signed = kind === 7;
    c.get(this.r[2]).op(op.i64_extend_i32_u).i64(32).op(op.i64_shl).get(this.r[0]).op(op.i64_extend_i32_u).op(op.i64_or).set(this.i64a);
    c.get(this.v).op(op.i32_eqz);
    if (signed) {
      // INT64_MIN / -1 traps in wasm (and overflows anyway).
      c.get(this.i64a).i64w(0, 0x80000000).op(op.i64_eq).get(this.v).i32(-1).op(op.i32_eq).op(op.i32_and).op(op.i32_or);
    } else c.get(this.r[2]).get(this.v).op(op.i32_ge_u).op(op.i32_or);
    c.if(false);
    this.miss();
    c.end();
    // One division, the remainder from the quotient (EAX - q * divisor: the true remainder's low 32 bits, q fitting in 32 bits).
    const ext = signed ? op.i64_extend_i32_s : op.i64_extend_i32_u;
    c.get(this.i64a).get(this.v).op(ext).op(signed ? op.i64_div_s : op.i64_div_u).set(this.i64a);
    if (signed) {
      // Quotient past int32: leave (the interpreter raises #DE).
      c.get(this.i64a).get(this.i64a).op(op.i32_wrap_i64).op(op.i64_extend_i32_s).op(op.i64_ne).if(false);
      this.miss();
      c.end();
    }
    c.get(this.i64a).op(op.i32_wrap_i64).set(this.w);
    c.get(this.r[0]).get(this.w).get(this.v).op(op.i32_mul).op(op.i32_sub).set(this.r[2]);
    c.get(this.w).set(this.r[0]);
    this.regsWritten[0] = 1; this.regsWritten[2] = 1;
    return 'ok';
  }

  private twoByte(): Result {
    const c = this.c, op = this.op;
    const b = this.byte();
    if (b >= 0x80 && b <= 0x8f) return this.jcc(b & 15, this.imm32());
    if (b >= 0x90 && b <= 0x9f) { // SETcc
      const m = this.modrm();
      this.cond(b & 15);
      c.set(this.w);
      this.writeRm(m, 1, this.w, true);
      return 'ok';
    }
    if (b >= 0x40 && b <= 0x4f) { // CMOVcc
      // A select, not an `if`: TurboFan makes it a cmov rather than a branch the host mispredicts where the condition
      // follows the data (the sieve's count loop: `cmove esi, ebx` on whether a number is prime).
      const m = this.modrm();
      this.readRm(m, 4);
      c.set(this.v);
      c.get(this.v).get(this.r[m.reg]);
      this.cond(b & 15);
      c.op(op.select).set(this.r[m.reg]);
      this.regsWritten[m.reg] = 1;
      return 'ok';
    }
    switch (b) {
      case 0xb6: case 0xb7: case 0xbe: case 0xbf: {
        const from = b & 1 ? 2 : 1, sh = 32 - from * 8;
        const m = this.modrm();
        this.readRm(m, from);
        if (b >= 0xbe) c.i32(sh).op(op.i32_shl).i32(sh).op(op.i32_shr_s);
        c.set(this.v);
        this.setReg(m.reg, 4, this.v);
        return 'ok';
      }
      case 0xaf: {
        const m = this.modrm();
        this.readRm(m, 4);
        c.set(this.B).get(this.r[m.reg]).set(this.A);
        this.imul2(m.reg);
        return 'ok';
      }
      case 0x1f: { const m = this.modrm(); return m.reg === 0 ? 'ok' : null; }
      default: return null;
    }
  }

  /** A taken Jcc leaves the block (or goes to a region block); the block goes on along the fall-through path. */
  private jcc(cc: number, d: number): Result {
    const c = this.c;
    const target = this.p + d;
    const inner = this.backEdge(target);
    this.cond(cc);
    c.if();
    if (inner !== null) this.again(inner);
    this.goto(target - this.pageStart, this.k + 1);
    c.end();
    if (inner !== null) this.closeLoop();
    if (target === this.entry) {
      // A loop on the block's start: alone, the block ends at the loop's exit (jit.ts scanBlock).
      if (this.stopAt === undefined) {
        this.goto(this.p - this.pageStart, this.k + 1);
        return 'end';
      }
      return 'loopExit';
    }
    return 'ok';
  }

  /**
   * A jump back to an instruction of this block other than its first (a loop inside it, as jit.ts
   * backEdge), or to its first when the loop is rotated: the loop, or null where it would cross
   * another one (or is the block's own, its selfL). Where the flag state
   * known at its head differs from that at the jump (the head's code reads the flags through it:
   * `xor ebx, ebx` before a loop ending `add eax, 4; jne`), the loop is emitted with the state
   * dropped at its head (known only at run time there, as at a block's start): it was a loop left
   * through the dispatcher on each pass before (matmul's and quicksort's inner loops in the
   * blocks around them, ~8000 calls of the compute kernel's first ~100 M instructions).
   */
  private backEdge(target: number): Loop | null {
    const head = this.insnAt.get(target);
    if (head === undefined) return null;
    const top = this.rotation(head);
    if (head === 0 && top === 0) return null;
    const forget = top === head && this.knownAt[head] !== null && this.knownAt[head] !== this.known;
    for (const [a, b] of this.innerLoops) if (a < head && head <= b) return null;
    const loop: Loop = [head, this.k, forget, top];
    this.innerLoops.push(loop);
    if (this.open && !this.innerL.has(this.k)) {
      // Its head's code is emitted already, outside a loop: emitted again from there (block()).
      this.reopen = loop;
      throw REOPEN;
    }
    if (this.emitting && !this.innerL.has(this.k)) throw new Error('i386 wasm jit: an inner loop not opened');
    if (forget && this.emitting) throw new Error('i386 wasm jit: a loop head emitted with a flag state the loop does not keep');
    return loop;
  }

  /**
   * Where the wasm `loop` of a loop from instruction `head` to this one opens: at the first instruction
   * from its head that sets every flag with no exit before (setsAllFlagsAt), when only instructions that
   * neither jump nor leave come before it and no other loop opens among them; with no such instruction, at
   * this one (the back edge's jump) when one of those before it sets flags (the state known at the jump is
   * then the same after the first pass and after the others: memset's `mov [esi], dl; inc esi; dec ecx;
   * jnz`); else at its head. A loop opened there (rotated) carries no flag state from pass to pass (past its
   * top, an INC/DEC's kept carry): its exits before that instruction (a load's TLB miss in `mov edx,
   * [ecx*4 + a]; inc ecx; cmp edx, eax; jb`) are emitted twice, once before the loop with the state it is
   * entered with and once at its back edge with the state known there (again). Otherwise the state's
   * locals are loop-carried values, which TurboFan keeps in registers or stores to its stack on every pass.
   * Only when something before the top reads the state, and for at most ROTATED_MAX instructions.
   */
  private rotation(head: number): number {
    let j = head, reads = false, sets = false;
    for (; j < this.k && this.plain[j] && !this.setsAll[j]; j++) {
      reads ||= this.readsState[j];
      sets ||= this.setsFlags[j];
    }
    const top = j < this.k && this.setsAll[j] ? j : j === this.k && sets ? j : head;
    if (!reads || top - head > ROTATED_MAX) return head; // nothing reads the state before it: not carried anyway
    for (const [a] of this.innerLoops) if (a >= head && a < top) return head;
    return top;
  }

  /** Another pass of the inner loop from its head to this instruction while the budget allows it and the rest of the block. */
  private again([head, , , top]: Loop): void {
    const c = this.c, op = this.op;
    if (!this.emitting) return;
    const n = this.k + 1 - head;
    c.get(this.steps);
    this.lenPlus(n);
    c.op(op.i32_add).get(MAX_STEPS).op(op.i32_le_s).if();
    c.get(this.steps).i32(n).op(op.i32_add).set(this.steps);
    if (top > head) { wasmRegionStats.rotatedLoops++; this.headAgain(head, top); }
    c.br(this.innerL.get(this.k)!);
    c.end();
  }

  /** A rotated loop's instructions from its head to its top (rotation) emitted again, under the flag state known at its back edge. */
  private headAgain(head: number, top: number): void {
    const { p, k, off, known, stores } = this;
    this.p = this.addrAt[head];
    for (this.k = head; this.k < top; this.k++) {
      this.off = this.p - this.pageStart;
      this.stores = false;
      if (this.insn() !== 'ok') throw new Error('i386 wasm jit: a rotated loop\'s head emitted differently');
      this.leaveIfStoreSlow();
    }
    // Opened at its back edge's jump: that jump's code assumed this state after the first pass too.
    if (top === k && this.known !== known) throw new Error('i386 wasm jit: a rotated loop leaves another flag state at its jump');
    this.p = p; this.k = k; this.off = off; this.known = known; this.stores = stores;
  }

  /**
   * The constant `extra` + the block's length; in an OPEN block, two LEB128 bytes (the format allows
   * padding) that patchLen fills in at its end.
   */
  private lenPlus(extra: number): void {
    const c = this.c;
    if (!this.open) return void c.i32(extra + this.curLen);
    this.lenPatches.push(c.size + 1, extra);
    c.op(this.op.i32_const).byte(0x80).byte(0);
  }

  private patchLen(): void {
    const c = this.c, p = this.lenPatches;
    for (let i = 0; i < p.length; i += 2) {
      const v = p[i + 1] + this.k; // below 2^13: a positive number in two bytes
      c.patch(p[i], (v & 0x7f) | 0x80).patch(p[i] + 1, v >> 7);
    }
  }

  private closeLoop(): void {
    if (this.emitting) this.c.end();
  }

  /** JMP: follows a forward target in the page, or leaves the block. */
  private jmp(d: number): Result {
    const target = this.p + d;
    if (target > this.p && target < this.pageStart + 0x1000 && target !== this.entry) {
      this.p = target;
      return 'ok';
    }
    const inner = this.backEdge(target);
    if (inner !== null) this.again(inner);
    this.goto(target - this.pageStart, this.k + 1);
    if (inner !== null) this.closeLoop();
    return 'end';
  }

  /** MOV r/m16, r16 (89); MOV r16, r/m16 (8B); MOV r/m16, imm16 (C7 /0). */
  private mov16(b: number): Result {
    const c = this.c;
    if (b === 0xc1 || b === 0xd1) return this.shift16(b);
    if (b !== 0x89 && b !== 0x8b && b !== 0xc7) return null;
    const m = this.modrm();
    if (b === 0x89) { this.getReg(m.reg, 2); c.set(this.w); this.writeRm(m, 2, this.w, true); return 'ok'; }
    if (b === 0x8b) { this.readRm(m, 2); c.set(this.v); this.setReg(m.reg, 2, this.v); return 'ok'; }
    if (m.reg !== 0) return null;
    c.i32(this.imm16()).set(this.w);
    this.writeRm(m, 2, this.w, true);
    return 'ok';
  }
}

type Result = 'ok' | 'end' | 'loopExit' | null;
type Opcode = JitKit['wasm']['op'][keyof JitKit['wasm']['op']];
