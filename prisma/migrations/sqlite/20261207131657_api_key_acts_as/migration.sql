-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ApiKey" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "regionId" INTEGER,
    "scopes" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "lastUsedAt" DATETIME,
    "actsAsId" INTEGER,
    CONSTRAINT "ApiKey_actsAsId_fkey" FOREIGN KEY ("actsAsId") REFERENCES "StaffAccount" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_ApiKey" ("createdAt", "id", "keyHash", "lastUsedAt", "name", "regionId", "revokedAt", "scopes") SELECT "createdAt", "id", "keyHash", "lastUsedAt", "name", "regionId", "revokedAt", "scopes" FROM "ApiKey";
DROP TABLE "ApiKey";
ALTER TABLE "new_ApiKey" RENAME TO "ApiKey";
CREATE UNIQUE INDEX "ApiKey_name_key" ON "ApiKey"("name");
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");
CREATE INDEX "ApiKey_actsAsId_idx" ON "ApiKey"("actsAsId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
