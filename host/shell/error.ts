// A shell command's error for people: printed in red, the session goes on.
export class ShellError extends Error {}
