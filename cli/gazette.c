/* Placeholder until the CLI lands. */
#include <stdio.h>
int main(void)
{
	fputs("gazette: not yet\n", stderr);
	return 1;
}
