// Glicko-2 ratings (the ratings engineer fills this in).
export {};
