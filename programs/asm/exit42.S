/* Pure assembly: write(1, "asm\n", 4) then exit_group(42). */
	.text
	.global _start
_start:
	mov x0, #1
	adr x1, msg
	mov x2, #4
	mov x8, #64		/* write */
	svc #0
	mov x0, #42
	mov x8, #94		/* exit_group */
	svc #0
msg:	.ascii "asm\n"
