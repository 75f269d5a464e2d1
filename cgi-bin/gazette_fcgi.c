/* Placeholder until the worker lands. */
#include <stdio.h>
int main(void)
{
	return 1;
}
